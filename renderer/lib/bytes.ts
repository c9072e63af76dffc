/** Files as the contract carries them (base64), and saving bytes the user asked for. */

const CHUNK = 0x8000

export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(s)
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export const fileToBase64 = async (file: Blob): Promise<string> => toBase64(new Uint8Array(await file.arrayBuffer()))

/** A file name safe on every OS, for names built from group and friend names. */
export const safeFileName = (s: string): string =>
  s
    .replace(/[\\/:*?"<>|\x00-\x1f]+/g, '-')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
    .slice(0, 100) || 'coterie'

/** Offers bytes as a download (Electron asks where to save; a browser saves to Downloads). */
export function saveBytes(fileName: string, b64: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([fromBase64(b64) as BlobPart], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
  // The download has its own reference by now; a minute is ample for the click to be handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
