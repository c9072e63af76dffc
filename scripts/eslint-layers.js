// The lint rule `local/layers`: every import, re-export and import() of a layered file is checked
// against the allow-lists of scripts/layers.js. A relative specifier is resolved to the layer of
// the file it names; a bare one is a Node built-in or an npm package, each allowed per layer.
import { builtinModules } from 'node:module'
import path from 'node:path'
import { layers, isTest } from './layers.js'

const ROOT = path.dirname(path.dirname(new URL(import.meta.url).pathname))
const BUILTINS = new Set(builtinModules)

/** The layer a repository-relative path belongs to: the longest dir that prefixes it. */
export const layerOf = (/** @type {string} */ rel) =>
  layers.filter((l) => rel.startsWith(l.dir)).sort((a, b) => b.dir.length - a.dir.length)[0]

const packageName = (/** @type {string} */ spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/')
const packageAllowed = (/** @type {string[]} */ allowed, /** @type {string} */ spec) =>
  allowed.some(
    (p) => p === '*' || p === spec || p === packageName(spec) || (p.endsWith('/*') && spec.startsWith(p.slice(0, -1))),
  )

/** Why `spec` may not be imported from `rel`, or undefined when it may. */
export function verdict(/** @type {string} */ rel, /** @type {string} */ spec) {
  const layer = layerOf(rel)
  if (!layer) return undefined
  const test = isTest(rel)
  if (spec.startsWith('.')) {
    const target = path
      .relative(ROOT, path.resolve(ROOT, path.dirname(rel), spec))
      .split(path.sep)
      .join('/')
    const to = layerOf(target)
    if (!to) return `${layer.name} may not import ${spec}: it is outside every layer (scripts/layers.js).`
    const allowed = new Set([layer.name, ...layer.may, ...(test ? ['testing'] : [])])
    if (allowed.has(to.name)) return undefined
    return `${layer.name} may not import the ${to.name} layer (${spec}); it may import: ${[...allowed].join(', ')}.`
  }
  if (spec.startsWith('node:') || BUILTINS.has(spec)) {
    if (layer.node || test) return undefined
    return `${layer.name} may not import Node's built-in ${spec}: ${layer.why}.`
  }
  if (test || packageAllowed(layer.packages, spec)) return undefined
  return `${layer.name} may not import the package ${spec}; it may import: ${layer.packages.join(', ') || 'no package'} (scripts/layers.js).`
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: { type: 'problem', docs: { description: 'Imports follow the allow-lists of scripts/layers.js' }, schema: [] },
  create(context) {
    const rel = path.relative(ROOT, context.filename).split(path.sep).join('/')
    const layer = layerOf(rel)
    if (!layer) {
      // Every file of the app's own folders has a layer; anything else (scripts, bench, e2e) is free.
      if (!/^(electron|shared|renderer)\//.test(rel)) return {}
      return {
        Program: (node) =>
          context.report({ node, message: `${rel} belongs to no layer: add its folder to scripts/layers.js.` }),
      }
    }
    /** @param {import('estree').Node & { source?: import('estree').Node | null }} node */
    const check = (node) => {
      const src = node.source
      if (!src) return
      if (src.type !== 'Literal' || typeof src.value !== 'string') {
        if (layer.pure)
          context.report({
            node,
            message: `${layer.name} is pure: import() only with a literal specifier, so the layering rule can see it.`,
          })
        return
      }
      const why = verdict(rel, src.value)
      if (why) context.report({ node: src, message: why })
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    }
  },
}

export default { rules: { layers: rule } }
