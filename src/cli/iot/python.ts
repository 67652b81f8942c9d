// How the AWS CLI (Python) writes a JSON number it was given. botocore's JSON parser keeps what
// json.loads made of each number (it has no handler for the model's double or float shapes): a token
// without `.`, `e` or `E` is an int, any other a float, and every output (json, text, table, yaml)
// prints a float as repr() does. Warden answers with JSON.stringify, which writes a number with a
// fraction or exponent exactly when it is not an integer below 1e21; the SDK hands the same number to
// `warden iot`, so that is where the two kinds part. Every number of the model's double and float
// shapes that is not a whole number is such a float.

/** Python's repr() of a float: the shortest digits that round-trip (as JavaScript's), in Python's layout. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v < 0 ? '-Infinity' : 'Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  // float_repr_style 'short': exponent notation when the decimal exponent is below -4 or at least 16.
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac || '0'}`;
}

/** A number as the AWS CLI prints the one Warden sent: an int when JSON.stringify wrote it as one, else a float. */
export function pyNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : pyFloat(v);
}

/** Python's str() of a JSON scalar (True, False, None, numbers as pyNumber); other values as `other` writes them. */
export function pyStr(v: unknown, other: (v: object) => string = String): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return pyNumber(v);
  return typeof v === 'object' ? other(v) : String(v);
}

/** Python's json.dumps(v, indent=4, ensure_ascii=False) of JSON data, numbers as pyNumber. */
export function pyJson(v: unknown, indent = 4, depth = 0): string {
  if (typeof v === 'number') return pyNumber(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const pad = '\n' + ' '.repeat(indent * (depth + 1));
  const end = '\n' + ' '.repeat(indent * depth);
  if (Array.isArray(v)) return v.length ? `[${v.map((x) => pad + pyJson(x, indent, depth + 1)).join(',')}${end}]` : '[]';
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length ? `{${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${pyJson(x, indent, depth + 1)}`).join(',')}${end}}` : '{}';
}
