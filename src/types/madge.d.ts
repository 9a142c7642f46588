/** The part of madge's API the import-circle check uses (the package ships no types). */
declare module 'madge' {
  interface MadgeResult {
    circular(): string[][];
    obj(): Record<string, string[]>;
  }
  export default function madge(path: string, config?: { fileExtensions?: string[]; tsConfig?: string; detectiveOptions?: object }): Promise<MadgeResult>;
}
