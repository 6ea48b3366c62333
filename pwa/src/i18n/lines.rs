//! Refused lines and files of the spreadsheet imports (roster, grades) and refused
//! administration forms, said from the server's [`LineProblem`] / [`FileProblem`] /
//! [`AdminProblem`] rather than its English text.

use cartable_shared::admin::{AdminField, AdminProblem, FileProblem, LineError, LineProblem};

use super::Lang;

/// Whose value a problem is about, where that changes its wording ("not a student" of a group
/// or at all, "only a teacher has subjects" or "only a guardian has wards").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueOf {
    Wards,
    Subjects,
    Other,
}

impl ValueOf {
    /// From a spreadsheet's column name, as the roster import names its columns.
    fn column(column: Option<&str>) -> Self {
        match column {
            Some("wards") => ValueOf::Wards,
            Some("subjects") => ValueOf::Subjects,
            _ => ValueOf::Other,
        }
    }

    /// From a form's field.
    fn field(field: AdminField) -> Self {
        match field {
            AdminField::Ward => ValueOf::Wards,
            AdminField::Subjects => ValueOf::Subjects,
            _ => ValueOf::Other,
        }
    }
}

impl Lang {
    /// Why a line was refused, in words: "« douze » n’est pas valide".
    pub fn line_problem(self, e: &LineError) -> String {
        self.value_problem(ValueOf::column(e.column.as_deref()), &e.problem)
    }

    /// What is wrong with a value of `of`.
    fn value_problem(self, of: ValueOf, problem: &LineProblem) -> String {
        match (self, problem) {
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
            (Lang::Fr, LineProblem::NotAStudent { value }) if of == ValueOf::Wards => {
                format!("{value} n’est pas un élève")
            }
            (Lang::En, LineProblem::NotAStudent { value }) if of == ValueOf::Wards => {
                format!("{value} is not a student")
            }
            (Lang::Fr, LineProblem::NotAStudent { value }) => {
                format!("{value} n’est pas un élève du groupe")
            }
            (Lang::En, LineProblem::NotAStudent { value }) => {
                format!("{value} is not a student of the group")
            }
            (Lang::Fr, LineProblem::WrongRole) if of == ValueOf::Subjects => {
                "seul un enseignant a des matières".into()
            }
            (Lang::En, LineProblem::WrongRole) if of == ValueOf::Subjects => {
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

impl Lang {
    /// The name of a form's value, as the form labels it.
    pub fn field_name(self, field: AdminField) -> &'static str {
        match (self, field) {
            (Lang::Fr, AdminField::Login) => "Identifiant",
            (Lang::En, AdminField::Login) => "Login",
            (Lang::Fr, AdminField::DisplayName) => "Nom affiché",
            (Lang::En, AdminField::DisplayName) => "Display name",
            (Lang::Fr, AdminField::Subjects) => "Matières",
            (Lang::En, AdminField::Subjects) => "Subjects",
            (Lang::Fr, AdminField::Group) => "Identifiant du groupe",
            (Lang::En, AdminField::Group) => "Group id",
            (Lang::Fr, AdminField::Name) => "Nom",
            (Lang::En, AdminField::Name) => "Name",
            (Lang::Fr, AdminField::Ward) => "Élève",
            (Lang::En, AdminField::Ward) => "Student",
            (Lang::Fr, AdminField::Scopes) => "Droits",
            (Lang::En, AdminField::Scopes) => "Scopes",
            (Lang::Fr, AdminField::Message) => "Message",
            (Lang::En, AdminField::Message) => "Message",
            (Lang::Fr, AdminField::Label) => "Libellé de l’année",
            (Lang::En, AdminField::Label) => "Year label",
        }
    }

    /// Why an administration form was refused, in words.
    pub fn admin_problem(self, problem: &AdminProblem) -> String {
        match (self, problem) {
            (_, AdminProblem::Field { field, problem }) => {
                let colon = if self == Lang::Fr { " :" } else { ":" };
                format!(
                    "{}{colon} {}",
                    self.field_name(*field),
                    self.value_problem(ValueOf::field(*field), problem)
                )
            }
            (Lang::Fr, AdminProblem::PasswordTooShort { min }) => {
                format!("le mot de passe doit avoir au moins {min} caractères")
            }
            (Lang::En, AdminProblem::PasswordTooShort { min }) => {
                format!("the password must have at least {min} characters")
            }
            (Lang::Fr, AdminProblem::ExpiryInThePast) => "la date de fin est déjà passée".into(),
            (Lang::En, AdminProblem::ExpiryInThePast) => "the end date is in the past".into(),
            (Lang::Fr, AdminProblem::AdminGuest) => {
                "un compte administrateur ne peut pas être temporaire".into()
            }
            (Lang::En, AdminProblem::AdminGuest) => {
                "an administrator account cannot be a guest account".into()
            }
            (Lang::Fr, AdminProblem::GroupExists { value }) => {
                format!("le groupe {value} existe déjà")
            }
            (Lang::En, AdminProblem::GroupExists { value }) => {
                format!("the group {value} exists already")
            }
            (Lang::Fr, AdminProblem::NotAGuardian { value }) => {
                format!("{value} n’est pas un responsable légal")
            }
            (Lang::En, AdminProblem::NotAGuardian { value }) => {
                format!("{value} is not a guardian")
            }
            (Lang::Fr, AdminProblem::EndInThePast) => "la fin de la période est déjà passée".into(),
            (Lang::En, AdminProblem::EndInThePast) => "the end of the period is in the past".into(),
            (Lang::Fr, AdminProblem::OwnAccount) => {
                "vous ne pouvez pas supprimer votre propre compte".into()
            }
            (Lang::En, AdminProblem::OwnAccount) => "you cannot delete your own account".into(),
            (Lang::Fr, AdminProblem::YearClosed { value }) => {
                format!("l’année {value} est déjà clôturée")
            }
            (Lang::En, AdminProblem::YearClosed { value }) => {
                format!("the year {value} is closed already")
            }
            (Lang::Fr, AdminProblem::TakenMeanwhile { line, value }) => format!(
                "ligne {line} : l’identifiant {value} a été pris entre-temps ; rien n’a été importé"
            ),
            (Lang::En, AdminProblem::TakenMeanwhile { line, value }) => {
                format!("line {line}: the login {value} was taken meanwhile; nothing was imported")
            }
            (_, AdminProblem::File(problem)) => self.file_problem(problem),
        }
    }

    /// Why an imported file was refused as a whole, in words.
    pub fn file_problem(self, problem: &FileProblem) -> String {
        match (self, problem) {
            (Lang::Fr, FileProblem::Empty { required }) => format!(
                "le fichier est vide : il faut une première ligne qui nomme les colonnes ({})",
                required.join(", ")
            ),
            (Lang::En, FileProblem::Empty { required }) => format!(
                "the file is empty: its first line must name the columns ({})",
                required.join(", ")
            ),
            (Lang::Fr, FileProblem::UnreadableHeader) => {
                "la première ligne (les noms des colonnes) est illisible".into()
            }
            (Lang::En, FileProblem::UnreadableHeader) => {
                "the first line (the column names) cannot be read".into()
            }
            (Lang::Fr, FileProblem::UnknownColumn { value, allowed }) => format!(
                "colonne « {value} » inconnue (colonnes possibles : {})",
                allowed.join(", ")
            ),
            (Lang::En, FileProblem::UnknownColumn { value, allowed }) => {
                format!("unknown column “{value}” (possible columns: {})", allowed.join(", "))
            }
            (Lang::Fr, FileProblem::ColumnTwice { value }) => {
                format!("la colonne « {value} » figure deux fois")
            }
            (Lang::En, FileProblem::ColumnTwice { value }) => {
                format!("the column “{value}” appears twice")
            }
            (Lang::Fr, FileProblem::ColumnMissing { value }) => {
                format!("il manque la colonne « {value} »")
            }
            (Lang::En, FileProblem::ColumnMissing { value }) => {
                format!("the column “{value}” is missing")
            }
            (Lang::Fr, FileProblem::TooManyLines { max }) => {
                format!("le fichier a plus de {max} lignes")
            }
            (Lang::En, FileProblem::TooManyLines { max }) => {
                format!("the file has more than {max} lines")
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

    #[test]
    fn every_admin_refusal_is_said_in_each_language_without_the_servers_english() {
        let value = || "x".to_owned();
        let mut problems = vec![
            AdminProblem::PasswordTooShort { min: 10 },
            AdminProblem::ExpiryInThePast,
            AdminProblem::AdminGuest,
            AdminProblem::GroupExists { value: value() },
            AdminProblem::NotAGuardian { value: value() },
            AdminProblem::EndInThePast,
            AdminProblem::OwnAccount,
            AdminProblem::YearClosed { value: value() },
            AdminProblem::TakenMeanwhile { line: 4, value: value() },
            AdminProblem::File(FileProblem::Empty { required: vec![value()] }),
            AdminProblem::File(FileProblem::UnreadableHeader),
            AdminProblem::File(FileProblem::UnknownColumn {
                value: value(),
                allowed: vec![value()],
            }),
            AdminProblem::File(FileProblem::ColumnTwice { value: value() }),
            AdminProblem::File(FileProblem::ColumnMissing { value: value() }),
            AdminProblem::File(FileProblem::TooManyLines { max: 5 }),
        ];
        problems.extend(AdminField::ALL.map(|field| AdminProblem::Field {
            field,
            problem: LineProblem::Invalid { value: value() },
        }));
        for lang in Lang::ALL {
            let mut said: Vec<String> = problems.iter().map(|p| lang.admin_problem(p)).collect();
            assert!(said.iter().all(|t| !t.trim().is_empty()));
            let count = said.len();
            said.sort();
            said.dedup();
            assert_eq!(said.len(), count, "two refusals share their words in {lang:?}");
        }
        let taken = AdminProblem::Field {
            field: AdminField::Login,
            problem: LineProblem::Taken { value: "jury.externe".into() },
        };
        assert_eq!(
            Lang::Fr.admin_problem(&taken),
            "Identifiant : l’identifiant jury.externe est déjà pris"
        );
        assert_eq!(Lang::En.admin_problem(&taken), "Login: the login jury.externe is taken");
    }
}
