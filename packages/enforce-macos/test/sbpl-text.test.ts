import { describe, expect, it } from "vitest";
import { paramRef, sbplString, SbplTextError } from "../src/sbpl-text.js";
import { parseSbpl } from "./helpers/sbpl-reader.js";

describe("sbplString (the one escape function)", () => {
  it("wraps plain text in quotes unchanged", () => {
    expect(sbplString("com.apple.trustd.agent")).toBe('"com.apple.trustd.agent"');
  });

  it("escapes backslash and double quote so the reader gets the exact text back", () => {
    for (const value of ['a"b', "a\\b", '\\"', 'end\\', '";(allow default)"']) {
      const literal = sbplString(value);
      const [form] = parseSbpl(`(x ${literal})`) as [[string, { str: string }]];
      expect(form[1].str).toBe(value);
    }
  });

  it("an embedded quote cannot close the string and inject a rule", () => {
    const forms = parseSbpl(`(deny default (with message ${sbplString('x") (allow default) ("')}))`);
    expect(forms).toHaveLength(1);
  });

  it("refuses control characters, NUL and newlines", () => {
    for (const bad of ["a\nb", "a\u0000b", "\r", "\u001b[0m", "\u007f"]) {
      expect(() => sbplString(bad)).toThrow(SbplTextError);
    }
    expect(() => sbplString("a\nb")).toThrow("control character U+000a cannot appear in a Seatbelt string");
  });
});

describe("paramRef", () => {
  it("references a parameter by name", () => {
    expect(paramRef("PATH_12")).toBe('(param "PATH_12")');
  });
  it("refuses names that could not be passed as -D NAME=value", () => {
    for (const bad of ["path", "A=B", "A B", "", "1A", 'A"']) expect(() => paramRef(bad)).toThrow(SbplTextError);
    expect(() => paramRef("A=B")).toThrow('invalid Seatbelt parameter name "A=B"');
  });
});
