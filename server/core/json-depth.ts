/**
 * How deeply a JSON value nests (a scalar 0, `{}` 1), counted without recursion (a hostile value could
 * overflow the stack), stopping once past `stopAbove`.
 */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, level + 1);
    if (deepest > stopAbove) return deepest;
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return deepest;
}
