//! Refused lines of the spreadsheet imports (roster, grades), said from the server's
//! [`LineProblem`] rather than its English `reason`.

use cartable_shared::admin::{LineError, LineProblem};

use super::Lang;

impl Lang {
    /// Why a line was refused, in words: "« douze » n’est pas valide".
    pub fn line_problem(self, e: &LineError) -> String {
        let column = e.column.as_deref().unwrap_or_default();
        match (self, &e.problem) {
            (Lang::Fr, LineProblem::Unreadable) => {
                "ligne illisible (vérifiez les guillemets et les séparateurs)".into()
            }
            (Lang::En, LineProblem::Unreadable) => {
                "unreadable line (check the quotes and the separators)".into()
            }
            (Lang::Fr, LineProblem::Missing) => "valeur manquante".into(),
            (Lang::En, LineProblem::Missing) => "missing value".into(),
            (Lang::Fr, LineProblem::Invalid { value }) => format!("« {value} » n’est pas valide"),
            (Lang::En, LineProblem::Invalid { value }) => format!("“{value}” is not valid"),
            (Lang::Fr, LineProblem::TooLong { max }) => format!("plus de {max} caractères"),
            (Lang::En, LineProblem::TooLong { max }) => format!("longer than {max} characters"),
            (Lang::Fr, LineProblem::Duplicate { value, first_line }) => {
                format!("{value} figure déjà ligne {first_line}")
            }
            (Lang::En, LineProblem::Duplicate { value, first_line }) => {
                format!("{value} is already on line {first_line}")
            }
            (Lang::Fr, LineProblem::Taken { value }) => {
                format!("l’identifiant {value} est déjà pris")
            }
            (Lang::En, LineProblem::Taken { value }) => format!("the login {value} is taken"),
            (Lang::Fr, LineProblem::Unknown { value }) => format!("« {value} » n’existe pas"),
            (Lang::En, LineProblem::Unknown { value }) => format!("“{value}” does not exist"),
            (Lang::Fr, LineProblem::NotAStudent { value }) if column == "wards" => {
                format!("{value} n’est pas un élève")
            }
            (Lang::En, LineProblem::NotAStudent { value }) if column == "wards" => {
                format!("{value} is not a student")
            }
            (Lang::Fr, LineProblem::NotAStudent { value }) => {
                format!("{value} n’est pas un élève du groupe")
            }
            (Lang::En, LineProblem::NotAStudent { value }) => {
                format!("{value} is not a student of the group")
            }
            (Lang::Fr, LineProblem::WrongRole) if column == "subjects" => {
                "seul un enseignant a des matières".into()
            }
            (Lang::En, LineProblem::WrongRole) if column == "subjects" => {
                "only a teacher has subjects".into()
            }
            (Lang::Fr, LineProblem::WrongRole) => "seul un responsable légal a des enfants".into(),
            (Lang::En, LineProblem::WrongRole) => "only a guardian has wards".into(),
            (Lang::Fr, LineProblem::UnknownRole { value }) => {
                format!("rôle « {value} » inconnu (student, guardian, teacher, staff ou admin)")
            }
            (Lang::En, LineProblem::UnknownRole { value }) => {
                format!("unknown role “{value}” (student, guardian, teacher, staff or admin)")
            }
            (Lang::Fr, LineProblem::OutOfRange { value, max }) => {
                format!("la note {value} n’est pas entre 0 et {}", max.replace('.', ","))
            }
            (Lang::En, LineProblem::OutOfRange { value, max }) => {
                format!("the score {value} is not between 0 and {max}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(column: Option<&str>, problem: LineProblem) -> LineError {
        LineError { line: 3, column: column.map(str::to_owned), reason: "…".into(), problem }
    }

    #[test]
    fn problems_are_said_in_each_language_with_their_values() {
        let dup = line(
            Some("login"),
            LineProblem::Duplicate { value: "ines.garcia".into(), first_line: 2 },
        );
        assert_eq!(Lang::Fr.line_problem(&dup), "ines.garcia figure déjà ligne 2");
        assert_eq!(Lang::En.line_problem(&dup), "ines.garcia is already on line 2");
        let range =
            line(Some("score"), LineProblem::OutOfRange { value: "20,5".into(), max: "20".into() });
        assert_eq!(Lang::Fr.line_problem(&range), "la note 20,5 n’est pas entre 0 et 20");
        let ward = line(Some("wards"), LineProblem::NotAStudent { value: "tom".into() });
        let grade = line(Some("student"), LineProblem::NotAStudent { value: "tom".into() });
        assert_ne!(Lang::Fr.line_problem(&ward), Lang::Fr.line_problem(&grade));
        let subjects = line(Some("subjects"), LineProblem::WrongRole);
        let wards = line(Some("wards"), LineProblem::WrongRole);
        assert_ne!(Lang::En.line_problem(&subjects), Lang::En.line_problem(&wards));
    }
}
