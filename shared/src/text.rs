//! Text helpers shared by the server and the app: the order of people's names.
//!
//! Every list of people Cartable shows or answers (a gradebook's roster, a group's students,
//! who acknowledged an announcement, the administration's accounts …) is sorted with
//! [`name_order`], so that `Émile` comes between `Elodie` and `Enzo` and `de Villiers` next to
//! `De Villiers`, as in a French class list, instead of after `Zoé` in byte order.

use std::cmp::Ordering;

/// Compares two names as a French class list does: first without case and accents
/// (`é è ê ë → e`, `ç → c`, `œ → oe`, `æ → ae`, `ß → ss` … and their capitals; combining
/// accents of decomposed text are ignored), then, when they are equal that way, by the exact
/// strings (their bytes: `Emile`, `emile`, `Émile`), so that the order is total and stable.
///
/// Spaces, hyphens and apostrophes are kept and sort before letters and digits (as in the
/// default order of the Unicode collation: `De Gaulle` before `Debré`, `Jean-Marc` before
/// `Jeanne`).
pub fn name_order(a: &str, b: &str) -> Ordering {
    folded(a).cmp(folded(b)).then_with(|| a.cmp(b))
}

/// Sorts a list of people by name in [`name_order`], then by id (two people may share a
/// name): `name_and_id` gives both of one person.
pub fn sort_by_name<T>(people: &mut [T], name_and_id: impl Fn(&T) -> (&str, &str)) {
    people.sort_by(|a, b| {
        let ((name_a, id_a), (name_b, id_b)) = (name_and_id(a), name_and_id(b));
        name_order(name_a, name_b).then_with(|| id_a.cmp(id_b))
    });
}

/// The characters of `s`, lower case and without accents.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(|c| fold(c).into_iter().flatten())
}

/// One character, lower case and without its accent: none for a combining accent, two for a
/// ligature.
fn fold(c: char) -> [Option<char>; 2] {
    if c.is_ascii() {
        return [Some(c.to_ascii_lowercase()), None];
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return [None, None];
    }
    let base = match latin_lower(c) {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'æ' => return [Some('a'), Some('e')],
        'œ' => return [Some('o'), Some('e')],
        'ß' => return [Some('s'), Some('s')],
        other => other,
    };
    [Some(base), None]
}

/// The lower case of a capital of the Latin-1 and Latin Extended-A blocks and of `Ș Ț`, the
/// letters of names written in Latin script; any other character as it is. (`char::to_lowercase`
/// would link the whole Unicode case table into the app's wasm for this one comparison: names
/// in other scripts are then compared with their case, which only orders `Ω` apart from `ω`.)
fn latin_lower(c: char) -> char {
    let u = u32::from(c);
    let lower = match u {
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        0x100..=0x137 | 0x14A..=0x177 | 0x218..=0x21B if u % 2 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_key(name: &str) -> String {
        folded(name).collect()
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        v.sort_by(|a, b| name_order(a, b));
        v
    }

    #[test]
    fn accented_initials_sort_with_their_letter() {
        assert_eq!(
            sorted(&["Zoé André", "Émile Roux", "Enzo François", "Elodie Petit", "Éloïse Marin"]),
            ["Elodie Petit", "Éloïse Marin", "Émile Roux", "Enzo François", "Zoé André"]
        );
        assert_eq!(
            sorted(&["Inès Vincent", "Hugo Lambert", "Îlona Bas", "Ivan Pic"]),
            ["Hugo Lambert", "Îlona Bas", "Inès Vincent", "Ivan Pic"]
        );
        assert_eq!(sorted(&["Çelik", "Cyril", "Camille"]), ["Camille", "Çelik", "Cyril"]);
    }

    #[test]
    fn case_does_not_separate_names_and_capitals_come_first_among_equals() {
        assert_eq!(
            sorted(&["de Villiers", "Dupont", "De Villiers", "delacroix", "Debré"]),
            ["De Villiers", "de Villiers", "Debré", "delacroix", "Dupont"]
        );
    }

    #[test]
    fn ligatures_read_as_their_two_letters() {
        assert_eq!(
            sorted(&["Odile", "Œdipe", "Oeuvray", "Océane", "Ofelia"]),
            ["Océane", "Odile", "Œdipe", "Oeuvray", "Ofelia"]
        );
        assert_eq!(sorted(&["Laetitia", "Lætitia", "Lafont"]), ["Laetitia", "Lætitia", "Lafont"]);
        assert_eq!(name_order("Œdipe", "oedipe"), "Œdipe".cmp("oedipe"), "tie by the strings");
        assert_ne!(name_order("Œdipe", "oedipe"), Ordering::Equal);
    }

    #[test]
    fn hyphens_and_spaces_sort_before_letters() {
        assert_eq!(
            sorted(&["Jeanne Roy", "Jean-Marc Roy", "Jean Roy", "Jean-Édouard Roy"]),
            ["Jean Roy", "Jean-Édouard Roy", "Jean-Marc Roy", "Jeanne Roy"]
        );
    }

    #[test]
    fn people_sharing_a_name_are_ordered_by_id() {
        let mut people = vec![
            ("zoe.andre", "Zoé André"),
            ("lea.martin2", "Léa Martin"),
            ("emile.roux", "Émile Roux"),
            ("lea.martin", "Léa Martin"),
            ("elodie.petit", "Elodie Petit"),
        ];
        sort_by_name(&mut people, |(id, name)| (name, id));
        let ids: Vec<_> = people.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["elodie.petit", "emile.roux", "lea.martin", "lea.martin2", "zoe.andre"]);
    }

    #[test]
    fn latin_lower_agrees_with_unicode_on_the_latin_blocks() {
        let latin = ('\u{c0}'..='\u{17f}').chain('\u{218}'..='\u{21b}');
        for c in latin {
            let mut unicode = c.to_lowercase();
            let expected = match (unicode.next(), unicode.next()) {
                (Some(l), None) => l,
                // `İ` lowers to `i` and a combining dot: its own `ı` is as good for sorting.
                _ => 'ı',
            };
            assert_eq!(latin_lower(c), expected, "{c} (U+{:04X})", u32::from(c));
        }
        assert_eq!(latin_lower('Ω'), 'Ω', "other scripts keep their case");
    }

    #[test]
    fn the_order_is_total_and_decomposed_accents_are_ignored() {
        let composed = "Noémie";
        let decomposed = "Noe\u{301}mie";
        assert_eq!(name_key(composed), name_key(decomposed));
        assert_ne!(name_order(composed, decomposed), Ordering::Equal);
        assert_eq!(name_order(composed, composed), Ordering::Equal);
        assert_eq!(name_key("ÉLISE Ÿvon Straße"), "elise yvon strasse");
        // Reversing the arguments reverses the answer, on every pair.
        let names = ["Émile", "emile", "Emile", "Élodie", "Œ", "oe", "Oe", "É", "e", ""];
        for a in names {
            for b in names {
                assert_eq!(name_order(a, b), name_order(b, a).reverse(), "{a} / {b}");
                assert_eq!(name_order(a, b) == Ordering::Equal, a == b, "{a} / {b}");
            }
        }
    }
}
