import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType, type TypeCheck, type ValueError } from '@sinclair/typebox/compiler';
import { NAME_KIND, nameProblem, type Refusal, type RefusalAnnotation } from '../../types/schema.js';

/**
 * What a schema of `types/` refuses, and why: each schema node that can refuse names its code and
 * message in `x-error` (per JSON Schema keyword where they differ), so a refusal is declared beside
 * the rule it stands for. The HTTP layer turns it into an error answer (server/http/validate.ts);
 * the core into a per-event result (core/events/validate-event.ts).
 */

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** The compiled checker of a schema, compiled once. */
export function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  return check as TypeCheck<T>;
}

export interface Refused {
  /** Undefined when no node along the way declares one: the caller's default. */
  code?: string;
  message?: string;
  status?: number;
}

const KEYWORD: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.ArrayMinItems]: 'minItems',
  [ValueErrorType.ArrayMaxItems]: 'maxItems',
  [ValueErrorType.ObjectRequiredProperty]: 'required',
  [ValueErrorType.ObjectAdditionalProperties]: 'additionalProperties',
};

/**
 * The refusal the schema declares for its first error: the `x-error` of the deepest node along the
 * error's path that has one. A missing or unexpected property is its object's failing: the object's
 * refusal for that keyword, else (a missing property) the property's own.
 */
export function refusalOf(root: TSchema, error: ValueError): Refused {
  const keyword = KEYWORD[error.type];
  const pointer = keyword === 'required' || keyword === 'additionalProperties' ? error.path.slice(0, error.path.lastIndexOf('/')) : error.path;
  const nodes = schemasAlong(root, pointer);
  const failing = nodes[nodes.length - 1]!;
  const annotated = [...nodes].reverse().find((node) => node['x-error'] !== undefined);
  const annotation = annotated?.['x-error'] as RefusalAnnotation | undefined;
  // The per-keyword refusal is the failing node's own; an ancestor's only stands for the whole.
  let chosen: Refusal | undefined = (annotated === failing && keyword && (annotation?.[keyword] as Refusal | undefined)) || undefined;
  if (!chosen && keyword === 'required') chosen = schemasAlong(root, error.path).at(-1)?.['x-error'] as Refusal | undefined;
  chosen ??= annotation;
  let message = chosen?.message && withKey(chosen.message, keyOf(error.path.split('/').at(-1) ?? ''));
  if (failing[Kind] === NAME_KIND && error.type === ValueErrorType.Kind) message = `A ${failing.title} ${nameProblem(error.value)}`;
  return { code: chosen?.code, message, status: chosen?.status };
}

/** The schema nodes from the root to the one a JSON pointer leads to (as far as the schema goes). */
function schemasAlong(root: TSchema, pointer: string): TSchema[] {
  const nodes = [root];
  for (const segment of pointer.split('/').slice(1)) {
    const node = nodes[nodes.length - 1]!;
    const key = keyOf(segment);
    const next: TSchema | undefined =
      node.type === 'array'
        ? node.items
        : node.type === 'object'
          ? node.properties && Object.hasOwn(node.properties, key)
            ? node.properties[key]
            : typeof node.additionalProperties === 'object'
              ? node.additionalProperties
              : undefined
          : undefined;
    if (!next) break;
    nodes.push(next);
  }
  return nodes;
}

/** A JSON pointer's segment as the key it stands for. */
export const keyOf = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** `{key}` in a message: the key that failed, quoted and cut short. */
export const withKey = (message: string, key: string) => message.replace('{key}', `"${key.slice(0, 80)}"`);
