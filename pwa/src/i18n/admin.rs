//! The strings of the administration page (`/admin`, its own wasm module). Kept apart from
//! [`super::Texts`] so that the students' UI module links none of them: only the admin module
//! calls [`Lang::admin`].

use cartable_shared::admin::AdminProblem;

use super::Lang;

/// The administration page's strings of one language.
#[derive(Debug)]
pub struct AdminTexts {
    /// Title of the page.
    pub title: &'static str,
    /// Label of the navigation between the screens.
    pub nav: &'static str,
    /// The screens: accounts, groups, roster import, calendar feeds, API tokens, block
    /// period, year rollover.
    pub screens: [&'static str; 7],
    /// Shown while the page asks who is signed in.
    pub loading: &'static str,
    /// Nobody is signed in.
    pub signed_out: &'static str,
    /// The signed-in user is not an administrator.
    pub not_admin: &'static str,
    /// The link to the students' app (where one signs in).
    pub sign_in_link: &'static str,
    /// The link back to the app.
    pub back_to_app: &'static str,
    /// Reload a list.
    pub reload: &'static str,
    /// Cancel a confirmation.
    pub cancel: &'static str,
    /// Nothing to show in a list.
    pub empty: &'static str,
    /// No value.
    pub none: &'static str,
    /// A request is on its way.
    pub busy: &'static str,
    /// No answer from the server.
    pub err_network: &'static str,
    /// 400: the server refused what was sent (its reason follows).
    pub err_invalid: &'static str,
    /// 401: the session ended.
    pub err_signed_out: &'static str,
    /// 403.
    pub err_forbidden: &'static str,
    /// 404.
    pub err_not_found: &'static str,
    /// 409 (its reason follows).
    pub err_conflict: &'static str,
    /// 413.
    pub err_too_large: &'static str,
    /// 5xx or an answer the page cannot read.
    pub err_server: &'static str,

    /// Roles, in the order of `Role`: student, guardian, teacher, staff, admin.
    pub roles: [&'static str; 5],
    /// Column / field: login.
    pub login: &'static str,
    /// Column / field: name.
    pub name: &'static str,
    /// Column / field: role.
    pub role: &'static str,
    /// Column: groups (memberships, and groups taught).
    pub groups: &'static str,
    /// Column: a guardian's students.
    pub wards: &'static str,
    /// Field: a teacher's subjects, comma-separated.
    pub subjects: &'static str,
    /// Field: a password, empty to have one generated.
    pub password: &'static str,
    /// Field: the end date of a guest account.
    pub expires: &'static str,
    /// What a guest account is.
    pub expires_help: &'static str,
    /// The account has expired.
    pub expired: &'static str,
    /// Heading and button: create an account.
    pub create_account: &'static str,
    /// The account was created; its initial password follows, shown once.
    pub account_created: &'static str,
    /// The account was created with the password given.
    pub account_created_own: &'static str,
    /// Delete an account.
    pub delete: &'static str,
    /// Confirm the deletion.
    pub delete_yes: &'static str,
    /// The account was deleted.
    pub deleted: &'static str,

    /// Column / field: group id.
    pub group_id: &'static str,
    /// Column: members.
    pub members: &'static str,
    /// Column: teachers.
    pub teachers: &'static str,
    /// Heading and button: create a group.
    pub create_group: &'static str,
    /// Field: the login of a person to add to a group.
    pub add_person: &'static str,
    /// What adding does with a teacher.
    pub add_person_help: &'static str,
    /// Button: add.
    pub add: &'static str,
    /// Button: remove (from a group, a guardian).
    pub remove: &'static str,
    /// Heading: guardians.
    pub guardians: &'static str,
    /// Field: the student.
    pub student: &'static str,
    /// Field: the guardian.
    pub guardian: &'static str,
    /// Button: link a guardian to a student.
    pub link_guardian: &'static str,
    /// Button: unlink.
    pub unlink_guardian: &'static str,
    /// Done.
    pub saved: &'static str,

    /// What a roster file holds.
    pub roster_intro: &'static str,
    /// Field: the CSV file.
    pub roster_file: &'static str,
    /// Button: preview.
    pub preview: &'static str,
    /// Checkbox: import the valid lines even if some are refused.
    pub skip_invalid: &'static str,
    /// Button: import.
    pub import: &'static str,
    /// Heading: the refused lines.
    pub refused_lines: &'static str,
    /// Heading: the accounts (to be) created.
    pub valid_lines: &'static str,
    /// Nothing was written yet (preview).
    pub nothing_imported_yet: &'static str,
    /// Nothing was written because of refused lines.
    pub nothing_imported: &'static str,
    /// The import was written; the initial passwords are shown once.
    pub imported: &'static str,
    /// No file chosen.
    pub no_file: &'static str,
    /// Column: line number.
    pub line: &'static str,
    /// Column: the initial password.
    pub initial_password: &'static str,

    /// Field: the feed's URL.
    pub feed_url: &'static str,
    /// Button: register a feed.
    pub register_feed: &'static str,
    /// Button: fetch now.
    pub refresh_now: &'static str,
    /// Last good fetch.
    pub last_success: &'static str,
    /// Last error.
    pub last_error: &'static str,
    /// Never fetched yet.
    pub never: &'static str,
    /// Sessions in the last good import.
    pub sessions: &'static str,
    /// What a fetch changed: added, cancelled, moved, room changed, restored, updated.
    pub changes: [&'static str; 6],
    /// A fetch changed nothing.
    pub no_change: &'static str,

    /// Field: what a token is for.
    pub token_name: &'static str,
    /// Legend: scopes.
    pub scopes: &'static str,
    /// Button: create a token.
    pub create_token: &'static str,
    /// The secret follows, shown once.
    pub token_secret: &'static str,
    /// Button: revoke.
    pub revoke: &'static str,
    /// Created by / on.
    pub created: &'static str,
    /// Last used.
    pub last_used: &'static str,

    /// What a block period does.
    pub block_intro: &'static str,
    /// No block period is set.
    pub block_none: &'static str,
    /// A block period is set: its message follows.
    pub block_current: &'static str,
    /// Field: the message.
    pub block_message: &'static str,
    /// Field: the end date (optional).
    pub block_until: &'static str,
    /// No end date: until an administrator lifts it.
    pub block_no_end: &'static str,
    /// Button: set the block period.
    pub block_set: &'static str,
    /// Button: lift it.
    pub block_clear: &'static str,

    /// What the year rollover does, said before confirming.
    pub rollover_intro: &'static str,
    /// Field: the year's label.
    pub rollover_label: &'static str,
    /// Button: close the year (asks for confirmation).
    pub rollover_start: &'static str,
    /// Button: confirm.
    pub rollover_yes: &'static str,
    /// Heading: the archives.
    pub archives: &'static str,
    /// Link: download an archive (JSON).
    pub archive_download: &'static str,
    /// Per group: course documents archived.
    pub archived_documents: &'static str,
    /// Per group: assignments archived.
    pub archived_homework: &'static str,
    /// Per group: students removed.
    pub students_removed: &'static str,
}

/// French.
pub(super) static FR: AdminTexts = AdminTexts {
    title: "Administration",
    nav: "Rubriques de l’administration",
    screens: [
        "Comptes",
        "Groupes",
        "Import CSV",
        "Calendriers",
        "Jetons d’API",
        "Fermeture",
        "Nouvelle année",
    ],
    loading: "Chargement…",
    signed_out: "Vous n’êtes pas connecté·e. Connectez-vous dans Cartable avec un compte administrateur, puis revenez sur cette page.",
    not_admin: "Cette page est réservée aux administrateurs de l’établissement.",
    sign_in_link: "Aller à Cartable pour se connecter",
    back_to_app: "Retour à Cartable",
    reload: "Actualiser",
    cancel: "Annuler",
    empty: "Aucun élément pour l’instant.",
    none: "—",
    busy: "Envoi en cours…",
    err_network: "Le serveur ne répond pas. Vérifiez la connexion, puis réessayez.",
    err_invalid: "Le serveur a refusé la demande :",
    err_signed_out: "Votre session a pris fin : reconnectez-vous dans Cartable.",
    err_forbidden: "Vous n’avez pas le droit de faire cela.",
    err_not_found: "Introuvable : l’élément a peut-être été supprimé entre-temps. Actualisez la liste.",
    err_conflict: "Impossible, cela existe déjà :",
    err_too_large: "Le fichier est trop volumineux pour le serveur.",
    err_server: "Le serveur a rencontré une erreur. Réessayez plus tard.",

    roles: ["Élève", "Responsable légal", "Enseignant", "Personnel", "Administrateur"],
    login: "Identifiant",
    name: "Nom",
    role: "Rôle",
    groups: "Groupes",
    wards: "Élèves suivis",
    subjects: "Matières (séparées par des virgules)",
    password: "Mot de passe (laisser vide pour en générer un)",
    expires: "Fin d’accès (compte invité)",
    expires_help: "Pour un compte invité, par exemple un examinateur : l’accès cesse de lui-même à cette date.",
    expired: "expiré",
    create_account: "Créer un compte",
    account_created: "Compte créé. Mot de passe initial, affiché une seule fois : notez-le et transmettez-le à la personne.",
    account_created_own: "Compte créé avec le mot de passe indiqué.",
    delete: "Supprimer",
    delete_yes: "Supprimer définitivement",
    deleted: "Compte supprimé.",

    group_id: "Identifiant du groupe",
    members: "Membres",
    teachers: "Enseignants",
    create_group: "Créer un groupe",
    add_person: "Identifiant de la personne à ajouter",
    add_person_help: "Un enseignant ajouté devient enseignant du groupe ; les autres en deviennent membres.",
    add: "Ajouter",
    remove: "Retirer",
    guardians: "Responsables légaux",
    student: "Élève (identifiant)",
    guardian: "Responsable (identifiant)",
    link_guardian: "Lier",
    unlink_guardian: "Délier",
    saved: "Enregistré.",

    roster_intro: "Un fichier CSV avec une ligne d’en-tête : login, display_name, role, puis éventuellement groups, subjects, wards (plusieurs valeurs séparées par « ; »). L’aperçu vérifie chaque ligne sans rien enregistrer.",
    roster_file: "Fichier CSV",
    preview: "Aperçu",
    skip_invalid: "Importer les lignes valides même si d’autres sont refusées",
    import: "Confirmer l’import",
    refused_lines: "Lignes refusées",
    valid_lines: "Comptes à créer",
    nothing_imported_yet: "Aperçu seulement : rien n’a encore été enregistré.",
    nothing_imported: "Rien n’a été importé : corrigez les lignes refusées, ou cochez l’option pour importer seulement les lignes valides.",
    imported: "Import terminé. Mots de passe initiaux, affichés une seule fois :",
    no_file: "Choisissez d’abord un fichier CSV.",
    line: "Ligne",
    initial_password: "Mot de passe initial",

    feed_url: "Adresse du calendrier (iCalendar, https)",
    register_feed: "Ajouter le calendrier",
    refresh_now: "Mettre à jour maintenant",
    last_success: "Dernière mise à jour réussie :",
    last_error: "Dernière erreur :",
    never: "jamais",
    sessions: "séances",
    changes: [
        "ajoutées",
        "annulées",
        "déplacées",
        "changements de salle",
        "rétablies",
        "modifiées",
    ],
    no_change: "Aucun changement.",

    token_name: "Nom du jeton (le logiciel qui l’utilise)",
    scopes: "Droits",
    create_token: "Créer un jeton",
    token_secret: "Jeton créé. Secret à copier maintenant, il ne sera plus affiché :",
    revoke: "Révoquer",
    created: "Créé",
    last_used: "Dernière utilisation :",

    block_intro: "Pendant une fermeture (avant la rentrée par exemple), les élèves et les responsables légaux voient ce message à la place du contenu. Enseignants, personnels et administrateurs ne sont pas concernés.",
    block_none: "Aucune fermeture en cours : l’application est ouverte à tous.",
    block_current: "Fermeture en cours. Message affiché :",
    block_message: "Message aux élèves et aux familles",
    block_until: "Réouverture automatique le (facultatif)",
    block_no_end: "Sans date de fin : jusqu’à ce qu’un administrateur la lève.",
    block_set: "Fermer l’accès",
    block_clear: "Rouvrir l’accès",

    rollover_intro: "Clôturer l’année scolaire : pour chaque groupe, les documents de cours et les devoirs sont archivés puis retirés de l’application (y compris des appareils des élèves), et les élèves sont retirés des groupes ; les enseignants restent. Les archives restent téléchargeables ici par les administrateurs. Un libellé déjà utilisé est refusé. C’est irréversible.",
    rollover_label: "Année clôturée (par exemple 2025-2026)",
    rollover_start: "Clôturer l’année…",
    rollover_yes: "Oui, clôturer l’année",
    archives: "Archives",
    archive_download: "Télécharger (JSON)",
    archived_documents: "documents archivés",
    archived_homework: "devoirs archivés",
    students_removed: "élèves retirés",
};

/// English.
pub(super) static EN: AdminTexts = AdminTexts {
    title: "Administration",
    nav: "Administration sections",
    screens: ["Accounts", "Groups", "CSV import", "Calendars", "API tokens", "Closure", "New year"],
    loading: "Loading…",
    signed_out: "You are not signed in. Sign in to Cartable with an administrator account, then come back to this page.",
    not_admin: "This page is for the institution’s administrators only.",
    sign_in_link: "Go to Cartable to sign in",
    back_to_app: "Back to Cartable",
    reload: "Refresh",
    cancel: "Cancel",
    empty: "Nothing yet.",
    none: "—",
    busy: "Sending…",
    err_network: "The server does not answer. Check the connection, then try again.",
    err_invalid: "The server refused the request:",
    err_signed_out: "Your session has ended: sign in again in Cartable.",
    err_forbidden: "You are not allowed to do this.",
    err_not_found: "Not found: it may have been deleted meanwhile. Refresh the list.",
    err_conflict: "Not possible, it already exists:",
    err_too_large: "The file is too large for the server.",
    err_server: "The server ran into an error. Try again later.",

    roles: ["Student", "Guardian", "Teacher", "Staff", "Administrator"],
    login: "Login",
    name: "Name",
    role: "Role",
    groups: "Groups",
    wards: "Students followed",
    subjects: "Subjects (comma-separated)",
    password: "Password (leave empty to have one generated)",
    expires: "Access ends (guest account)",
    expires_help: "For a guest account, a visiting examiner for example: access stops by itself on that date.",
    expired: "expired",
    create_account: "Create an account",
    account_created: "Account created. Initial password, shown only once: write it down and give it to the person.",
    account_created_own: "Account created with the password given.",
    delete: "Delete",
    delete_yes: "Delete for good",
    deleted: "Account deleted.",

    group_id: "Group id",
    members: "Members",
    teachers: "Teachers",
    create_group: "Create a group",
    add_person: "Login of the person to add",
    add_person_help: "A teacher added becomes a teacher of the group; anyone else becomes a member.",
    add: "Add",
    remove: "Remove",
    guardians: "Guardians",
    student: "Student (login)",
    guardian: "Guardian (login)",
    link_guardian: "Link",
    unlink_guardian: "Unlink",
    saved: "Saved.",

    roster_intro: "A CSV file with a header line: login, display_name, role, then optionally groups, subjects, wards (several values separated by “;”). The preview checks every line and saves nothing.",
    roster_file: "CSV file",
    preview: "Preview",
    skip_invalid: "Import the valid lines even if others are refused",
    import: "Confirm the import",
    refused_lines: "Refused lines",
    valid_lines: "Accounts to create",
    nothing_imported_yet: "Preview only: nothing has been saved yet.",
    nothing_imported: "Nothing was imported: fix the refused lines, or tick the option to import only the valid lines.",
    imported: "Import done. Initial passwords, shown only once:",
    no_file: "Choose a CSV file first.",
    line: "Line",
    initial_password: "Initial password",

    feed_url: "Calendar address (iCalendar, https)",
    register_feed: "Add the calendar",
    refresh_now: "Update now",
    last_success: "Last successful update:",
    last_error: "Last error:",
    never: "never",
    sessions: "sessions",
    changes: ["added", "cancelled", "moved", "room changes", "restored", "updated"],
    no_change: "No change.",

    token_name: "Token name (the software that uses it)",
    scopes: "Rights",
    create_token: "Create a token",
    token_secret: "Token created. Copy the secret now, it will not be shown again:",
    revoke: "Revoke",
    created: "Created",
    last_used: "Last used:",

    block_intro: "During a closure (before the school year, for example), students and guardians see this message instead of the content. Teachers, staff and administrators are not affected.",
    block_none: "No closure: the app is open to everyone.",
    block_current: "Closed now. Message shown:",
    block_message: "Message to students and families",
    block_until: "Reopens by itself on (optional)",
    block_no_end: "No end date: until an administrator lifts it.",
    block_set: "Close access",
    block_clear: "Reopen access",

    rollover_intro: "Close the school year: for every group, the course documents and the homework are archived, then removed from the app (students’ devices included), and the students leave the groups; teachers stay. The archives stay downloadable here by administrators. A label already used is refused. This cannot be undone.",
    rollover_label: "Year closed (for example 2025-2026)",
    rollover_start: "Close the year…",
    rollover_yes: "Yes, close the year",
    archives: "Archives",
    archive_download: "Download (JSON)",
    archived_documents: "documents archived",
    archived_homework: "assignments archived",
    students_removed: "students removed",
};

/// Why a request of the administration page failed, in the user's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer (offline, server down).
    Network,
    /// An HTTP error status, with the server's explanation (`ErrorBody.message`), if any.
    Status(u16, Option<String>),
    /// An HTTP error status with what was refused, as data (`ErrorBody.problem`).
    Refused(u16, AdminProblem),
    /// A success status whose body could not be read.
    Unreadable,
}

impl Lang {
    /// The administration page's strings.
    pub fn admin(self) -> &'static AdminTexts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// A failed request, said in words: the server's own explanation is added where it helps
    /// (a refused value, a name already taken), never a bare status code.
    pub fn failure(self, failure: &Failure) -> String {
        let t = self.admin();
        let with = |text: &str, detail: &Option<String>| match detail {
            Some(d) if !d.trim().is_empty() => format!("{text} {d}"),
            _ => text.to_owned(),
        };
        match failure {
            Failure::Network => t.err_network.to_owned(),
            Failure::Unreadable => t.err_server.to_owned(),
            Failure::Status(400 | 422, detail) => with(t.err_invalid, detail),
            Failure::Status(401, _) => t.err_signed_out.to_owned(),
            Failure::Status(403, _) => t.err_forbidden.to_owned(),
            Failure::Status(404, _) => t.err_not_found.to_owned(),
            Failure::Status(409, detail) => with(t.err_conflict, detail),
            Failure::Refused(409, problem) => {
                format!("{} {}", t.err_conflict, self.admin_problem(problem))
            }
            Failure::Refused(_, problem) => {
                format!("{} {}", t.err_invalid, self.admin_problem(problem))
            }
            Failure::Status(413, _) => t.err_too_large.to_owned(),
            Failure::Status(_, _) => t.err_server.to_owned(),
        }
    }

    /// The confirmation of an account's deletion: what goes, and that it cannot be undone.
    pub fn delete_account_question(self, name: &str, login: &str) -> String {
        match self {
            Lang::Fr => format!(
                "Supprimer le compte de {name} ({login}) ? Son accès, ses sessions et son \
                 historique de connexions, ses abonnements aux notifications, ses réglages et \
                 notes personnelles, ses notes, ses appartenances aux groupes, ses liens de \
                 responsable légal, son lien de calendrier et les jetons d’API qu’il a créés \
                 sont effacés, y compris sur ses appareils. Ses messages restent dans les \
                 conversations, signés « compte supprimé ». C’est définitif."
            ),
            Lang::En => format!(
                "Delete the account of {name} ({login})? Their access, sessions and sign-in \
                 history, notification subscriptions, settings and personal notes, grades, group \
                 memberships, guardian links, calendar link and the API tokens they created are \
                 erased, on their devices too. Their messages stay in the conversations, signed \
                 “deleted account”. This cannot be undone."
            ),
        }
    }

    /// The confirmation of an API token's revocation: the systems using it lose access.
    pub fn revoke_token_question(self, name: &str) -> String {
        match self {
            Lang::Fr => format!(
                "Révoquer le jeton « {name} » ? Les systèmes qui l’utilisent n’ont plus accès, \
                 tout de suite. C’est définitif."
            ),
            Lang::En => format!(
                "Revoke the token “{name}”? The systems using it lose access at once. This \
                 cannot be undone."
            ),
        }
    }

    /// The confirmation of a calendar feed's deletion: its sessions stay in the timetable.
    pub fn delete_feed_question(self, url: &str) -> String {
        match self {
            Lang::Fr => format!(
                "Supprimer le flux {url} ? Il ne sera plus relevé ; les séances déjà importées \
                 restent dans l’emploi du temps."
            ),
            Lang::En => format!(
                "Delete the feed {url}? It will no longer be fetched; the sessions already \
                 imported stay in the timetable."
            ),
        }
    }

    /// What an API token's scope allows (`cartable_shared::admin::API_SCOPES`); `None` for a
    /// scope this version does not know (shown as it is).
    pub fn scope_name(self, scope: &str) -> Option<&'static str> {
        let fr = self == Lang::Fr;
        Some(match scope {
            "accounts:read" => {
                if fr {
                    "Lire les comptes"
                } else {
                    "Read accounts"
                }
            }
            "groups:read" => {
                if fr {
                    "Lire les groupes"
                } else {
                    "Read groups"
                }
            }
            "roster:import" => {
                if fr {
                    "Importer des listes d’élèves"
                } else {
                    "Import rosters"
                }
            }
            "timetable:read" => {
                if fr {
                    "Lire les emplois du temps"
                } else {
                    "Read timetables"
                }
            }
            "timetable:write" => {
                if fr {
                    "Modifier les séances (annuler, déplacer, changer de salle)"
                } else {
                    "Change sessions (cancel, move, change room)"
                }
            }
            "homework:read" => {
                if fr {
                    "Lire les devoirs"
                } else {
                    "Read homework"
                }
            }
            "homework:write" => {
                if fr {
                    "Publier des devoirs"
                } else {
                    "Publish homework"
                }
            }
            "grades:read" => {
                if fr {
                    "Lire les notes"
                } else {
                    "Read grades"
                }
            }
            "grades:import" => {
                if fr {
                    "Importer des notes (CSV)"
                } else {
                    "Import grades (CSV)"
                }
            }
            "announcements:read" => {
                if fr {
                    "Lire les annonces"
                } else {
                    "Read announcements"
                }
            }
            "announcements:write" => {
                if fr {
                    "Publier des annonces"
                } else {
                    "Publish announcements"
                }
            }
            "reminders:write" => {
                if fr {
                    "Envoyer des rappels de la bibliothèque"
                } else {
                    "Send library reminders"
                }
            }
            _ => return None,
        })
    }

    /// The summary of a roster preview or import: `12 comptes valides, 1 ligne refusée`.
    pub fn roster_summary(self, valid: usize, refused: usize) -> String {
        let (v, r) = match self {
            Lang::Fr => (
                if valid == 1 { "compte valide" } else { "comptes valides" },
                if refused == 1 { "ligne refusée" } else { "lignes refusées" },
            ),
            Lang::En => (
                if valid == 1 { "valid account" } else { "valid accounts" },
                if refused == 1 { "refused line" } else { "refused lines" },
            ),
        };
        format!("{valid} {v}, {refused} {r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_sentences_with_the_servers_reason_where_it_helps() {
        for lang in Lang::ALL {
            let t = lang.admin();
            let conflict = lang.failure(&Failure::Status(409, Some("the login x is taken".into())));
            assert_eq!(conflict, format!("{} the login x is taken", t.err_conflict));
            assert_eq!(
                lang.failure(&Failure::Status(403, Some("only admins".into()))),
                t.err_forbidden
            );
            assert_eq!(lang.failure(&Failure::Status(400, None)), t.err_invalid);
            assert_eq!(lang.failure(&Failure::Status(503, None)), t.err_server);
            assert_eq!(lang.failure(&Failure::Network), t.err_network);
            for status in [400, 401, 403, 404, 409, 413, 422, 500] {
                let text = lang.failure(&Failure::Status(status, None));
                assert!(!text.contains(&status.to_string()), "{text}");
            }
        }
    }

    #[test]
    fn both_languages_name_every_screen_role_and_scope_differently() {
        for t in [&FR, &EN] {
            for list in [&t.screens[..], &t.roles[..], &t.changes[..]] {
                let mut names = list.to_vec();
                names.sort_unstable();
                names.dedup();
                assert_eq!(names.len(), list.len());
                assert!(list.iter().all(|n| !n.trim().is_empty()));
            }
        }
        assert_ne!(FR.screens, EN.screens);
    }

    #[test]
    fn every_api_scope_has_its_own_name_in_both_languages() {
        use cartable_shared::admin::API_SCOPES;
        for lang in Lang::ALL {
            let mut names: Vec<&str> =
                API_SCOPES.iter().map(|s| lang.scope_name(s).expect(s)).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), API_SCOPES.len());
        }
        assert_eq!(Lang::Fr.scope_name("nothing:yet"), None);
    }

    #[test]
    fn roster_summaries_agree_in_number() {
        assert_eq!(Lang::Fr.roster_summary(1, 2), "1 compte valide, 2 lignes refusées");
        assert_eq!(Lang::En.roster_summary(3, 1), "3 valid accounts, 1 refused line");
    }

    #[test]
    fn the_deletion_question_names_the_account_and_says_it_is_final() {
        let fr = Lang::Fr.delete_account_question("Léa Martin", "lea.martin");
        assert!(fr.contains("Léa Martin (lea.martin)") && fr.contains("définitif"));
        let en = Lang::En.delete_account_question("Léa Martin", "lea.martin");
        assert!(en.contains("Léa Martin (lea.martin)") && en.contains("cannot be undone"));
        for lang in [Lang::Fr, Lang::En] {
            assert!(lang.revoke_token_question("SIS export").contains("SIS export"));
            assert!(lang.delete_feed_question("https://ics.example/a.ics").contains("a.ics"));
        }
    }
}
