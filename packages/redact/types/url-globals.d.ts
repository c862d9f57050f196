/**
 * The two web-platform globals the redactor uses, which every runtime it supports has (Node.js and
 * browsers) but the ECMAScript library does not declare. Declared here for the package build only,
 * which loads neither Node's nor the DOM's types: any other host global (Buffer, process, window) stays
 * a compile error, so the package stays portable.
 */
declare class URLSearchParams {
  constructor(init?: string | readonly (readonly [string, string])[]);
  toString(): string;
}
declare class URL {
  constructor(url: string, base?: string);
  toString(): string;
}
