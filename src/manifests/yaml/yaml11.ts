/**
 * How plain (unquoted) scalars resolve under YAML 1.1 as the `yaml` package reads them, which is what
 * kubectl's YAML 1.1 reader does too. The writer quotes strings that would not read back as strings; the
 * fast reader resolves the common forms and leaves the rest to `yaml`.
 */
export const YAML11_NULL = /^(?:~|[Nn]ull|NULL)$/;
export const YAML11_TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
export const YAML11_FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

/** Plain scalars that YAML 1.1 (and, for `0o…`, YAML 1.2) resolves to something other than a string. */
export const NOT_A_STRING = new RegExp(
  [
    YAML11_NULL,
    /^$/,
    YAML11_TRUE,
    YAML11_FALSE,
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    /^[-+]?(?:0b[0-1_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)$/,
    /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|T|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
    /^0o[0-7]+$/,
  ]
    .map((re) => re.source)
    .join('|'),
);

/** Only plain scalars starting with one of these (or empty) can resolve to a non-string: a cheap pre-check. */
export const MAY_NOT_BE_A_STRING = /^(?:$|[-+.~0-9NnYyTtFfOoEe])/;
