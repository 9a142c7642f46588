/** The part of madge's API the import-circle and module-layer checks use (the package ships no types). */
declare module 'madge' {
  interface MadgeResult {
    circular(): string[][];
    obj(): Record<string, string[]>;
  }
  export default function madge(path: string, config?: { fileExtensions?: string[]; tsConfig?: string; detectiveOptions?: object; excludeRegExp?: RegExp[] }): Promise<MadgeResult>;
}
