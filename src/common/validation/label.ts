import 'reflect-metadata';

const LABEL = Symbol('renkei:label');

/** The Japanese name of a field, as its error messages call it (氏名, 事業所名). */
export function Label(text: string): PropertyDecorator {
  return (target, property) => Reflect.defineMetadata(LABEL, text, target, property);
}

/** The label of `property` on an instance of a request class; undefined when it has none. */
export function labelOf(target: unknown, property: string): string | undefined {
  if (target === null || typeof target !== 'object') return undefined;
  return Reflect.getMetadata(LABEL, target, property) as string | undefined;
}
