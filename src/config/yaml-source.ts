/**
 * Reads YAML while keeping where each value came from, so that every problem can name the file,
 * line and column an operator has to edit.
 */
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';

export type PathSegment = string | number;

export interface YamlSource {
  readonly fileName: string;
  readonly value: unknown;
  /** YAML syntax errors, already located. */
  readonly syntaxErrors: readonly { where: string; message: string }[];
  /** "file:line:col" of the value at `path`, or of its nearest existing parent. */
  locate(path: readonly PathSegment[]): string;
}

export function readYaml(fileName: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false });

  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };

  const syntaxErrors = document.errors.map((error) => ({
    where: at(error.pos[0]),
    message: error.message.split('\n')[0] ?? error.message,
  }));

  return {
    fileName,
    value: syntaxErrors.length > 0 ? undefined : document.toJS(),
    syntaxErrors,
    locate(path) {
      for (let length = path.length; length >= 0; length -= 1) {
        const node = document.getIn(path.slice(0, length), true);
        if (isNode(node) && node.range) return at(node.range[0]);
      }
      return fileName;
    },
  };
}

/** "backends[1].models[0]" from ["backends", 1, "models", 0]. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(top level)' : out;
}
