/** The part of js-yaml 4 the probe uses (the package ships no types; `@types/js-yaml` is not installed). */
declare module 'js-yaml' {
  /** Parses one YAML document; throws a YAMLException on invalid input. */
  export function load(text: string, options?: { json?: boolean }): unknown;
}
