// Draws build/icon.png (512x512) in pure code, no downloads: three friends' circles around a
// shared centre, on a rounded square. PNG written by hand (zlib + CRC-32), antialiased by 4x4
// supersampling. electron-builder derives the other sizes and formats from this one file.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SIZE = 512
const SS = 4
const BG = [40, 62, 110]
const FG = [246, 196, 83]
const CENTER = [255, 255, 255]

const inRoundedSquare = (x, y) => {
  const r = 96,
    m = 16
  const cx = Math.min(Math.max(x, m + r), SIZE - m - r)
  const cy = Math.min(Math.max(y, m + r), SIZE - m - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && y >= m && x <= SIZE - m && y <= SIZE - m
}
const dots = [0, 1, 2].map((i) => {
  const a = -Math.PI / 2 + (i * 2 * Math.PI) / 3
  return [SIZE / 2 + Math.cos(a) * 130, SIZE / 2 + Math.sin(a) * 130]
})
const colour = (x, y) => {
  if (!inRoundedSquare(x, y)) return null
  if ((x - SIZE / 2) ** 2 + (y - SIZE / 2) ** 2 <= 58 ** 2) return CENTER
  if (dots.some(([dx, dy]) => (x - dx) ** 2 + (y - dy) ** 2 <= 70 ** 2)) return FG
  return BG
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1))
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0 // filter: none
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0]
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++) {
        const c = colour(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS)
        if (c === null) continue
        acc[0] += c[0]
        acc[1] += c[1]
        acc[2] += c[2]
        acc[3] += 255
      }
    const n = acc[3] / 255
    const o = y * (SIZE * 4 + 1) + 1 + x * 4
    raw[o] = n ? Math.round(acc[0] / n) : 0
    raw[o + 1] = n ? Math.round(acc[1] / n) : 0
    raw[o + 2] = n ? Math.round(acc[2] / n) : 0
    raw[o + 3] = Math.round(acc[3] / (SS * SS))
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type, data) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(SIZE, 0)
ihdr.writeUInt32BE(SIZE, 4)
ihdr[8] = 8 // bit depth
ihdr[9] = 6 // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
])
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'icon.png')
writeFileSync(out, png)
console.log(`wrote ${out} (${png.length} bytes)`)
