/**
 * The text rule: what one line of public text may hold. Core's catalogs refuse a message that
 * breaks it, and the client drops such text from any server, on every protocol: both use this one
 * rule, so a catalog's message is never one the client drops.
 *
 * @module
 */

/**
 * Characters that hide, reorder or break a line, by Unicode property (so a new Unicode version
 * extends the rule by itself):
 *
 * - `\p{Cc}`: control characters (C0, DEL, C1), which forge log lines and drive terminals;
 * - `\p{Cs}`: lone surrogates, which make `encodeURIComponent` throw;
 * - `\p{Zl}`, `\p{Zp}`: U+2028, U+2029;
 * - `\p{Cf}`: format characters, shown as nothing: bidirectional embeddings, overrides and
 *   isolates ("Trojan Source" text that shows other words than it holds), zero-width space, word
 *   joiner and invisible operators, byte order mark, soft hyphen, tag characters U+E0000–U+E007F,
 *   interlinear annotation U+FFF9–U+FFFB, Mongolian vowel separator;
 * - `\p{Default_Ignorable_Code_Point}`: the other characters shown as nothing: Hangul fillers
 *   (U+115F, U+1160, U+3164, U+FFA0), the combining grapheme joiner, Khmer inherent vowels;
 * - `\p{Variation_Selector}`: U+FE00–U+FE0F, U+E0100–U+E01EF and the Mongolian ones, which
 *   select a glyph invisibly (also ignorable; named for the reader);
 * - `\p{Noncharacter_Code_Point}`: U+FFFE, U+FFFF and the other noncharacters, never interchanged.
 *
 * The joiners ZWNJ and ZWJ (`\p{Join_Control}`, format characters too) have their own rule. The
 * bidirectional marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are allowed: right-to-left
 * messages need them to place punctuation and numbers, and a mark cannot reorder words the way
 * an override or an isolate does.
 */
const HIDDEN = String.raw`\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\p{Noncharacter_Code_Point}`;

/** Scripts whose writing never needs a joiner: the Latin, Greek and Cyrillic alphabets and the like, and CJK. */
const NEVER_JOINED = String.raw`\p{scx=Latn}\p{scx=Grek}\p{scx=Cyrl}\p{scx=Armn}\p{scx=Geor}\p{scx=Hani}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}`;

/**
 * A character a joiner may stand next to: a letter or mark of a script that joins (Arabic and
 * Persian, Syriac, the Indic scripts after a virama, …: any script not in {@link NEVER_JOINED}),
 * or an emoji (ZWJ sequences such as 👩‍💻).
 */
const JOINABLE = String.raw`(?:(?![${NEVER_JOINED}])[\p{L}\p{M}]|[\p{Extended_Pictographic}\p{Emoji_Modifier}])`;

/**
 * What one line may not hold: a {@link HIDDEN} character that is not a joiner, or a joiner that is
 * not between two {@link JOINABLE} characters (at an edge, doubled, or inside Latin text, where it
 * only hides).
 */
const NOT_ONE_LINE = new RegExp(
  // The lookarounds run only where a hidden character or a joiner is, so plain text costs one class test a character.
  String.raw`[${HIDDEN}](?<![\p{Join_Control}\u200e\u200f\u061c])|\p{Join_Control}(?:(?<!${JOINABLE}\p{Join_Control})|(?!${JOINABLE}))`,
  'u',
);

/**
 * True when `text` is one line that shows what it holds: no control character, no U+2028 or
 * U+2029, no lone surrogate, no format (but the bidirectional marks), ignorable or
 * variation-selector character, no
 * noncharacter, and ZWNJ or ZWJ only between two letters or marks of a script that joins, or two
 * emoji (so it cannot forge log lines, drive a terminal, show reordered or hidden words, or make
 * `encodeURIComponent` throw). Linear in the length of `text`.
 */
export function isOneLine(text: string): boolean {
  return !NOT_ONE_LINE.test(text);
}

/**
 * A character that shows something: anything but white space (spaces of every width, tabs, line
 * breaks), the bidirectional marks {@link isOneLine} allows (LRM, RLM, ALM) and the braille blank
 * U+2800, which all show as nothing on their own.
 */
const SHOWS_SOMETHING = /[^\p{White_Space}\u200e\u200f\u061c\u2800]/u;

/**
 * True when `text` shows at least one character: a message or detail of only spaces or marks
 * (`"   "`, `"\u200e"`, ideographic spaces) would show an empty error. Core's catalogs refuse such
 * a message and the client drops such text from any server, by this one rule.
 */
export function showsSomething(text: string): boolean {
  return SHOWS_SOMETHING.test(text);
}
