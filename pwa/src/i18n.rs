//! The translation catalogue. Every string the user sees comes from here: French by default,
//! English available. The language is the saved preference, else the browser's
//! (`navigator.language`), else French.

use cartable_shared::engine::Connection;
use cartable_shared::timetable::SessionKind;

use crate::calendar::{CivilDate, LocalDateTime};

mod access;
mod admin;
mod gradebook;
mod lines;
mod settings;
mod teach;

pub use access::AccessTexts;
pub use admin::{AdminTexts, Failure};
pub use gradebook::GradebookTexts;
pub use settings::SettingsTexts;
pub use teach::TeachTexts;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 tag, for `<html lang>` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language of a BCP 47 tag (`fr`, `fr-CA`, `en-GB`…), if the app has it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The saved preference, else the browser's language, else French.
    pub fn pick(saved: Option<&str>, browser: Option<&str>) -> Lang {
        saved
            .and_then(Lang::from_tag)
            .or_else(|| browser.and_then(Lang::from_tag))
            .unwrap_or_default()
    }

    /// The strings of this language.
    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The teacher's gradebook's strings: apart from [`Texts`], so that only the publishing
    /// module, which shows the gradebook, carries them.
    pub fn gradebook(self) -> &'static GradebookTexts {
        match self {
            Lang::Fr => &gradebook::FR,
            Lang::En => &gradebook::EN,
        }
    }

    /// A day heading: `lundi 23 novembre` / `Monday 23 November`.
    pub fn day_heading(self, date: CivilDate) -> String {
        let t = self.t();
        let weekday = t.weekdays[usize::from(date.weekday())];
        let month = t.months[usize::from(date.month - 1)];
        match self {
            Lang::Fr if date.day == 1 => format!("{weekday} 1er {month}"),
            _ => format!("{weekday} {} {month}", date.day),
        }
    }

    /// A short date: `23 nov.` / `23 Nov`.
    pub fn short_date(self, date: CivilDate) -> String {
        format!("{} {}", date.day, self.t().months_short[usize::from(date.month - 1)])
    }

    /// The heading of a week: `Semaine du 23 au 29 novembre 2026`.
    pub fn week_heading(self, monday: CivilDate) -> String {
        let sunday = monday.add_days(6);
        let t = self.t();
        let m1 = t.months[usize::from(monday.month - 1)];
        let m2 = t.months[usize::from(sunday.month - 1)];
        let (d1, d2, y) = (monday.day, sunday.day, sunday.year);
        match self {
            Lang::Fr if monday.month == sunday.month => format!("Semaine du {d1} au {d2} {m2} {y}"),
            Lang::Fr => format!("Semaine du {d1} {m1} au {d2} {m2} {y}"),
            Lang::En if monday.month == sunday.month => format!("Week of {d1}–{d2} {m2} {y}"),
            Lang::En => format!("Week of {d1} {m1} – {d2} {m2} {y}"),
        }
    }

    /// A time range on one day: `08:00 – 10:00`.
    pub fn time_range(self, start: &LocalDateTime, end: &LocalDateTime) -> String {
        format!("{} – {}", start.hm(), end.hm())
    }

    /// A slot possibly on another day than `today`'s reference: `lundi 23 novembre, 08:00 – 10:00`.
    pub fn slot(self, start: &LocalDateTime, end: &LocalDateTime) -> String {
        format!("{}, {}", self.day_heading(start.date), self.time_range(start, end))
    }

    /// `Dernière synchro : 14:02`, with the date when it was not today, or “jamais”.
    pub fn last_sync(self, at: Option<&LocalDateTime>, today: CivilDate) -> String {
        let t = self.t();
        match at {
            None => format!("{} {}", t.last_sync_prefix, t.never),
            Some(at) if at.date == today => format!("{} {}", t.last_sync_prefix, at.hm()),
            Some(at) => format!("{} {} {}", t.last_sync_prefix, self.short_date(at.date), at.hm()),
        }
    }

    /// `3 modifications en attente`.
    pub fn pending(self, n: u32) -> String {
        match (self, n) {
            (Lang::Fr, 1) => "1 modification en attente".to_owned(),
            (Lang::Fr, n) => format!("{n} modifications en attente"),
            (Lang::En, 1) => "1 change waiting to be sent".to_owned(),
            (Lang::En, n) => format!("{n} changes waiting to be sent"),
        }
    }

    /// The line under the week: `2 cours masqués` / `2 hidden courses`.
    pub fn hidden_count(self, n: usize) -> String {
        match (self, n) {
            (Lang::Fr, 1) => "1 cours masqué".to_owned(),
            (Lang::Fr, n) => format!("{n} cours masqués"),
            (Lang::En, 1) => "1 hidden course".to_owned(),
            (Lang::En, n) => format!("{n} hidden courses"),
        }
    }

    /// The workload of a day: `3 devoirs` / `3 assignments`.
    pub fn workload(self, n: u32) -> String {
        match (self, n) {
            (Lang::Fr, 1) => "1 devoir".to_owned(),
            (Lang::Fr, n) => format!("{n} devoirs"),
            (Lang::En, 1) => "1 assignment".to_owned(),
            (Lang::En, n) => format!("{n} assignments"),
        }
    }

    /// The short label of a session kind: `CM`, `TD`, `TP`, `Examen`.
    pub fn kind(self, kind: SessionKind) -> &'static str {
        let t = self.t();
        match kind {
            SessionKind::Cm => t.kind_cm,
            SessionKind::Td => t.kind_td,
            SessionKind::Tp => t.kind_tp,
            SessionKind::Exam => t.kind_exam,
        }
    }

    /// `7 jours` / `7 days`.
    pub fn days(self, n: u32) -> String {
        match self {
            Lang::Fr => format!("{n} jours"),
            Lang::En => format!("{n} days"),
        }
    }

    /// What the trip pack needs: `12 cours et 3 devoirs : 8 fichiers, 1,2 Mo (800 ko à
    /// télécharger)`.
    pub fn trip_summary(self, plan: &crate::files::TripPlan) -> String {
        let size = |n| crate::files::format_size(n, self);
        let (n, total, missing) = (plan.files.len(), size(plan.bytes), size(plan.missing_bytes));
        match self {
            Lang::Fr => format!(
                "{} cours et {} devoirs : {n} fichiers, {total} ({missing} à télécharger)",
                plan.sessions, plan.assignments
            ),
            Lang::En => format!(
                "{} classes and {} assignments: {n} files, {total} ({missing} to download)",
                plan.sessions, plan.assignments
            ),
        }
    }

    /// `Téléchargement : 3 / 8 fichiers`.
    pub fn trip_progress(self, done: u32, total: usize) -> String {
        match self {
            Lang::Fr => format!("Téléchargement : {done} / {total} fichiers"),
            Lang::En => format!("Downloading: {done} / {total} files"),
        }
    }

    /// What is now available offline after the trip pack.
    pub fn trip_report(self, plan: &crate::files::TripPlan, failed: u32) -> String {
        let ok = plan.files.len().saturating_sub(failed as usize);
        let size = crate::files::format_size(plan.bytes, self);
        let days = plan.days;
        let mut text = match self {
            Lang::Fr => format!(
                "Disponible hors ligne pour les {days} prochains jours : {} cours, {} devoirs et \
                 {ok} fichiers ({size}).",
                plan.sessions, plan.assignments
            ),
            Lang::En => format!(
                "Available offline for the next {days} days: {} classes, {} assignments and \
                 {ok} files ({size}).",
                plan.sessions, plan.assignments
            ),
        };
        if failed > 0 {
            text.push_str(&match self {
                Lang::Fr => format!(" {failed} fichiers n'ont pas pu être téléchargés."),
                Lang::En => format!(" {failed} files could not be downloaded."),
            });
        }
        text
    }

    /// The label of a connection state.
    pub fn connection(self, c: Connection) -> &'static str {
        let t = self.t();
        match c {
            Connection::Online => t.online,
            Connection::Offline => t.offline,
            Connection::Syncing => t.syncing,
        }
    }
}

/// The fixed strings of one language.
#[derive(Debug)]
pub struct Texts {
    /// The app's name.
    pub app_name: &'static str,
    /// Shown while the local data is read.
    pub loading: &'static str,
    /// Heading of the login screen.
    pub login_title: &'static str,
    /// Text under the login heading.
    pub login_intro: &'static str,
    /// Label of the login field.
    pub login_user: &'static str,
    /// Label of the password field.
    pub login_password: &'static str,
    /// The login button.
    pub login_submit: &'static str,
    /// The login button while the request is in flight.
    pub login_busy: &'static str,
    /// Wrong login or password.
    pub err_credentials: &'static str,
    /// Too many attempts, or the account is locked for a while.
    pub err_rate_limited: &'static str,
    /// A guest account that has expired.
    pub err_expired: &'static str,
    /// The server cannot be reached.
    pub err_network: &'static str,
    /// The server failed.
    pub err_server: &'static str,
    /// The logout button.
    pub logout: &'static str,
    /// Connection state: online.
    pub online: &'static str,
    /// Connection state: offline.
    pub offline: &'static str,
    /// Connection state: syncing.
    pub syncing: &'static str,
    /// Before the time of the last sync.
    pub last_sync_prefix: &'static str,
    /// No sync yet.
    pub never: &'static str,
    /// Label of the week navigation.
    pub week_nav: &'static str,
    /// Previous week button.
    pub week_prev: &'static str,
    /// Current week button.
    pub week_today: &'static str,
    /// Next week button.
    pub week_next: &'static str,
    /// A day with no class.
    pub no_sessions_day: &'static str,
    /// A week with no class.
    pub no_sessions_week: &'static str,
    /// No timetable on the device yet (first sync not done).
    pub no_timetable_yet: &'static str,
    /// Badge of a cancelled session.
    pub cancelled: &'static str,
    /// Badge of a session gone from its calendar feed (not confirmed).
    pub probably_cancelled: &'static str,
    /// Badge of a moved session.
    pub moved: &'static str,
    /// Before the former time of a moved session.
    pub moved_from: &'static str,
    /// Label of a room change.
    pub room_changed: &'static str,
    /// Heading of the next session of the day.
    pub next_session: &'static str,
    /// A new version of the app is ready.
    pub update_ready: &'static str,
    /// Button to load it.
    pub update_now: &'static str,
    /// The stale banner, offline.
    pub stale_offline: &'static str,
    /// The stale banner, online but not synced for a while.
    pub stale_old: &'static str,
    /// The install hint.
    pub install_hint: &'static str,
    /// Button of the install hint, where the browser offers installation.
    pub install_now: &'static str,
    /// The install hint on iPhone and iPad (Safari has no install prompt).
    pub install_ios: &'static str,
    /// Button that dismisses the install hint.
    pub install_dismiss: &'static str,
    /// Button that hides a course from the timetable.
    pub course_hide: &'static str,
    /// Heading of the hidden courses.
    pub courses_hidden: &'static str,
    /// Button that shows a hidden course again.
    pub course_show: &'static str,
    /// Button of a hidden course's session, shown while the hidden courses are revealed.
    pub course_unhide: &'static str,
    /// Button that shows the sessions of the hidden courses in the week.
    pub hidden_reveal: &'static str,
    /// Button that takes them out of the week again.
    pub hidden_conceal: &'static str,
    /// The settings when no course is hidden.
    pub courses_hidden_none: &'static str,
    /// The settings: what hiding a course does and does not do.
    pub courses_hidden_about: &'static str,
    /// Heading of the workload per day.
    pub workload_title: &'static str,
    /// Badge of a grade not seen yet.
    pub grade_new: &'static str,
    /// Button that marks every grade as seen.
    pub grades_seen: &'static str,
    /// Label of the language switch.
    pub language: &'static str,
    /// The name of each language, in that language.
    pub lang_names: [&'static str; 2],
    /// Kinds of sessions.
    pub kind_cm: &'static str,
    /// Tutorial.
    pub kind_td: &'static str,
    /// Lab.
    pub kind_tp: &'static str,
    /// Exam.
    pub kind_exam: &'static str,
    /// UI text `tabs_label`.
    pub tabs_label: &'static str,
    /// UI text `tab_timetable`.
    pub tab_timetable: &'static str,
    /// UI text `tab_homework`.
    pub tab_homework: &'static str,
    /// UI text `tab_grades`.
    pub tab_grades: &'static str,
    /// UI text `tab_announcements`.
    pub tab_announcements: &'static str,
    /// UI text `tab_messages`.
    pub tab_messages: &'static str,
    /// UI text `homework_title`.
    pub homework_title: &'static str,
    /// UI text `homework_none`.
    pub homework_none: &'static str,
    /// UI text `homework_due`.
    pub homework_due: &'static str,
    /// UI text `homework_done`.
    pub homework_done: &'static str,
    /// UI text `homework_overdue`.
    pub homework_overdue: &'static str,
    /// UI text `homework_hand_in`.
    pub homework_hand_in: &'static str,
    /// UI text `events_title`.
    pub events_title: &'static str,
    /// UI text `events_none`.
    pub events_none: &'static str,
    /// UI text `event_add`.
    pub event_add: &'static str,
    /// UI text `event_name`.
    pub event_name: &'static str,
    /// UI text `event_date`.
    pub event_date: &'static str,
    /// UI text `event_start`.
    pub event_start: &'static str,
    /// UI text `event_end`.
    pub event_end: &'static str,
    /// UI text `event_save`.
    pub event_save: &'static str,
    /// UI text `event_remove`.
    pub event_remove: &'static str,
    /// UI text `grades_title`.
    pub grades_title: &'static str,
    /// UI text `grades_none`.
    pub grades_none: &'static str,
    /// UI text `grades_average`.
    pub grades_average: &'static str,
    /// UI text `grades_overall`.
    pub grades_overall: &'static str,
    /// UI text `grades_coef`.
    pub grades_coef: &'static str,
    /// UI text `grades_absent`.
    pub grades_absent: &'static str,
    /// UI text `ann_title`.
    pub ann_title: &'static str,
    /// UI text `ann_none`.
    pub ann_none: &'static str,
    /// UI text `ann_information`.
    pub ann_information: &'static str,
    /// UI text `ann_warning`.
    pub ann_warning: &'static str,
    /// UI text `ann_alert`.
    pub ann_alert: &'static str,
    /// UI text `ann_ack`.
    pub ann_ack: &'static str,
    /// UI text `ann_acked`.
    pub ann_acked: &'static str,
    /// UI text `msg_title`.
    pub msg_title: &'static str,
    /// UI text `msg_none`.
    pub msg_none: &'static str,
    /// UI text `msg_back`.
    pub msg_back: &'static str,
    /// The author shown for a message of a deleted account (`admin::DELETED_AUTHOR`).
    pub msg_deleted_account: &'static str,
    /// UI text `msg_reply`.
    pub msg_reply: &'static str,
    /// UI text `msg_send`.
    pub msg_send: &'static str,
    /// UI text `local_pending`.
    pub local_pending: &'static str,
    /// UI text `tab_documents`.
    pub tab_documents: &'static str,
    /// UI text `docs_title`.
    pub docs_title: &'static str,
    /// UI text `docs_none`.
    pub docs_none: &'static str,
    /// UI text `doc_open`.
    pub doc_open: &'static str,
    /// UI text `doc_pin`.
    pub doc_pin: &'static str,
    /// UI text `doc_unpin`.
    pub doc_unpin: &'static str,
    /// UI text `doc_pinning`.
    pub doc_pinning: &'static str,
    /// UI text `doc_pinned`.
    pub doc_pinned: &'static str,
    /// UI text `storage_title`.
    pub storage_title: &'static str,
    /// UI text `storage_pinned`.
    pub storage_pinned: &'static str,
    /// UI text `storage_used`.
    pub storage_used: &'static str,
    /// UI text `trip_title`.
    pub trip_title: &'static str,
    /// UI text `trip_intro`.
    pub trip_intro: &'static str,
    /// UI text `trip_days`.
    pub trip_days: &'static str,
    /// UI text `trip_prepare`.
    pub trip_prepare: &'static str,
    /// UI text `trip_confirm`.
    pub trip_confirm: &'static str,
    /// UI text `trip_cancel`.
    pub trip_cancel: &'static str,
    /// UI text `trip_close`.
    pub trip_close: &'static str,
    /// UI text `viewer_close`.
    pub viewer_close: &'static str,
    /// UI text `viewer_download`.
    pub viewer_download: &'static str,
    /// UI text `file_offline`.
    pub file_offline: &'static str,
    /// UI text `file_error`.
    pub file_error: &'static str,
    /// UI text `attachments`.
    pub attachments: &'static str,
    /// UI text `publish_title`.
    pub publish_title: &'static str,
    /// UI text `publish_group`.
    pub publish_group: &'static str,
    /// UI text `publish_file`.
    pub publish_file: &'static str,
    /// UI text `publish_doc_title`.
    pub publish_doc_title: &'static str,
    /// UI text `publish_subject`.
    pub publish_subject: &'static str,
    /// UI text `publish_kind`.
    pub publish_kind: &'static str,
    /// UI text `publish_submit`.
    pub publish_submit: &'static str,
    /// UI text `publish_sending`.
    pub publish_sending: &'static str,
    /// UI text `publish_done`.
    pub publish_done: &'static str,
    /// UI text `publish_missing`.
    pub publish_missing: &'static str,
    /// UI text `publish_too_large`.
    pub publish_too_large: &'static str,
    /// UI text `publish_bad_type`.
    pub publish_bad_type: &'static str,
    /// UI text `publish_failed`.
    pub publish_failed: &'static str,
    /// Weekdays, Monday first.
    pub weekdays: [&'static str; 7],
    /// Months, January first.
    pub months: [&'static str; 12],
    /// Abbreviated months.
    pub months_short: [&'static str; 12],
    /// The settings view.
    pub settings: &'static SettingsTexts,
    /// The block period's screen, the administration link, downloading one's data.
    pub access: &'static AccessTexts,
    /// The publishing views (teachers, staff, admins).
    pub teach: &'static TeachTexts,
}

/// French.
pub static FR: Texts = Texts {
    app_name: "Cartable",
    loading: "Chargement…",
    login_title: "Connexion",
    login_intro: "Connectez-vous avec votre compte de l’établissement.",
    login_user: "Identifiant",
    login_password: "Mot de passe",
    login_submit: "Se connecter",
    login_busy: "Connexion…",
    err_credentials: "Identifiant ou mot de passe incorrect.",
    err_rate_limited: "Trop de tentatives. Réessayez dans quelques minutes.",
    err_expired: "Ce compte invité a expiré. Demandez un nouvel accès à l’établissement.",
    err_network: "Serveur injoignable. Vérifiez votre connexion puis réessayez.",
    err_server: "Le serveur a rencontré une erreur. Réessayez plus tard.",
    logout: "Se déconnecter",
    online: "En ligne",
    offline: "Hors ligne",
    syncing: "Synchronisation…",
    last_sync_prefix: "Dernière synchro :",
    never: "jamais",
    week_nav: "Navigation entre les semaines",
    week_prev: "Semaine précédente",
    week_today: "Aujourd’hui",
    week_next: "Semaine suivante",
    no_sessions_day: "Pas de cours",
    no_sessions_week: "Aucun cours cette semaine.",
    no_timetable_yet: "L’emploi du temps n’est pas encore sur cet appareil. Il arrivera à la prochaine synchronisation.",
    cancelled: "Annulé",
    probably_cancelled: "Probablement annulé",
    moved: "Déplacé",
    moved_from: "Prévu initialement :",
    room_changed: "Changement de salle :",
    next_session: "Prochain cours",
    update_ready: "Une nouvelle version de Cartable est prête.",
    update_now: "Mettre à jour",
    stale_offline: "Hors ligne : les données affichées peuvent ne pas être à jour.",
    stale_old: "Pas de synchronisation récente : les données affichées peuvent ne pas être à jour.",
    install_hint: "Ajoutez Cartable à votre écran d’accueil pour l’ouvrir comme une appli, même sans réseau.",
    install_now: "Installer",
    install_ios: "Sur iPhone ou iPad : touchez Partager, puis « Sur l’écran d’accueil ».",
    install_dismiss: "Plus tard",
    course_hide: "Masquer ce cours",
    courses_hidden: "Cours masqués",
    course_show: "Afficher",
    course_unhide: "Afficher ce cours",
    hidden_reveal: "Voir",
    hidden_conceal: "Masquer à nouveau",
    courses_hidden_none: "Aucun cours masqué.",
    courses_hidden_about: "Les séances d’un cours masqué n’apparaissent plus dans l’emploi du temps, sur tous vos appareils. Ses devoirs restent dans la liste des devoirs.",
    workload_title: "Charge de travail",
    grade_new: "Nouveau",
    grades_seen: "Tout marquer comme vu",
    language: "Langue",
    lang_names: ["Français", "English"],
    kind_cm: "CM",
    kind_td: "TD",
    kind_tp: "TP",
    kind_exam: "Examen",
    tabs_label: "Sections de l’application",
    tab_timetable: "Semaine",
    tab_homework: "Devoirs",
    tab_grades: "Notes",
    tab_announcements: "Annonces",
    tab_messages: "Messages",
    homework_title: "Devoirs",
    homework_none: "Aucun devoir pour le moment.",
    homework_due: "À rendre le",
    homework_done: "Fait",
    homework_overdue: "En retard",
    homework_hand_in: "À remettre",
    events_title: "Mes événements de la semaine",
    events_none: "Aucun événement personnel cette semaine.",
    event_add: "Ajouter un événement",
    event_name: "Intitulé",
    event_date: "Date",
    event_start: "Début",
    event_end: "Fin",
    event_save: "Ajouter",
    event_remove: "Supprimer",
    grades_title: "Notes",
    grades_none: "Aucune note publiée.",
    grades_average: "Moyenne",
    grades_overall: "Moyenne générale",
    grades_coef: "coef.",
    grades_absent: "Absent",
    ann_title: "Annonces",
    ann_none: "Aucune annonce en cours.",
    ann_information: "Information",
    ann_warning: "Avertissement",
    ann_alert: "Alerte",
    ann_ack: "J’ai pris connaissance",
    ann_acked: "Lu et confirmé",
    msg_title: "Messages",
    msg_none: "Aucune conversation.",
    msg_back: "Toutes les conversations",
    msg_deleted_account: "compte supprimé",
    msg_reply: "Votre réponse",
    msg_send: "Envoyer",
    local_pending: "Pas encore synchronisé : sera appliqué à la prochaine synchronisation.",
    tab_documents: "Documents",
    docs_title: "Documents de cours",
    docs_none: "Aucun document pour le moment.",
    doc_open: "Ouvrir",
    doc_pin: "Garder hors ligne",
    doc_unpin: "Retirer du hors-ligne",
    doc_pinning: "Téléchargement…",
    doc_pinned: "Hors ligne",
    storage_title: "Stockage sur l'appareil",
    storage_pinned: "Fichiers gardés hors ligne",
    storage_used: "Espace utilisé par Cartable",
    trip_title: "Pack voyage",
    trip_intro: "Tout ce qu'il faut pour les prochains jours, même sans réseau : emploi du temps, devoirs, leurs pièces jointes et les documents des cours.",
    trip_days: "Durée",
    trip_prepare: "Préparer",
    trip_confirm: "Télécharger",
    trip_cancel: "Annuler",
    trip_close: "Fermer",
    viewer_close: "Fermer",
    viewer_download: "Enregistrer le fichier",
    file_offline: "n'est pas disponible hors ligne : gardez-le hors ligne quand vous avez du réseau.",
    file_error: "n'a pas pu être ouvert ou téléchargé.",
    attachments: "Pièces jointes",
    publish_title: "Publier un document",
    publish_group: "Groupe",
    publish_file: "Fichier (PDF, image, document bureautique)",
    publish_doc_title: "Titre",
    publish_subject: "Matière",
    publish_kind: "Type (cours, TD, corrigé…)",
    publish_submit: "Publier",
    publish_sending: "Envoi…",
    publish_done: "Document publié : les élèves du groupe le reçoivent.",
    publish_missing: "Choisissez un fichier et donnez un titre et une matière.",
    publish_too_large: "Ce fichier est trop volumineux.",
    publish_bad_type: "Ce type de fichier n'est pas accepté, ou son nom ne correspond pas à son contenu.",
    publish_failed: "La publication a échoué : réessayez.",
    weekdays: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    months_short: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    settings: &settings::FR,
    access: &access::FR,
    teach: &teach::FR,
};

/// English.
pub static EN: Texts = Texts {
    app_name: "Cartable",
    loading: "Loading…",
    login_title: "Sign in",
    login_intro: "Sign in with your school account.",
    login_user: "Username",
    login_password: "Password",
    login_submit: "Sign in",
    login_busy: "Signing in…",
    err_credentials: "Wrong username or password.",
    err_rate_limited: "Too many attempts. Try again in a few minutes.",
    err_expired: "This guest account has expired. Ask the school for a new access.",
    err_network: "The server cannot be reached. Check your connection and try again.",
    err_server: "The server ran into an error. Try again later.",
    logout: "Sign out",
    online: "Online",
    offline: "Offline",
    syncing: "Syncing…",
    last_sync_prefix: "Last sync:",
    never: "never",
    week_nav: "Week navigation",
    week_prev: "Previous week",
    week_today: "Today",
    week_next: "Next week",
    no_sessions_day: "No classes",
    no_sessions_week: "No classes this week.",
    no_timetable_yet: "The timetable is not on this device yet. It will arrive with the next sync.",
    cancelled: "Cancelled",
    probably_cancelled: "Probably cancelled",
    moved: "Moved",
    moved_from: "Originally:",
    room_changed: "Room changed:",
    next_session: "Next class",
    update_ready: "A new version of Cartable is ready.",
    update_now: "Update",
    stale_offline: "Offline: what you see may be out of date.",
    stale_old: "Not synced recently: what you see may be out of date.",
    install_hint: "Add Cartable to your home screen to open it like an app, even with no network.",
    install_now: "Install",
    install_ios: "On iPhone or iPad: tap Share, then “Add to Home Screen”.",
    install_dismiss: "Not now",
    course_hide: "Hide this course",
    courses_hidden: "Hidden courses",
    course_show: "Show",
    course_unhide: "Show this course",
    hidden_reveal: "View",
    hidden_conceal: "Hide again",
    courses_hidden_none: "No hidden course.",
    courses_hidden_about: "The classes of a hidden course no longer appear in the timetable, on all your devices. Its homework stays in the homework list.",
    workload_title: "Workload",
    grade_new: "New",
    grades_seen: "Mark all as seen",
    language: "Language",
    lang_names: ["Français", "English"],
    kind_cm: "Lecture",
    kind_td: "Tutorial",
    kind_tp: "Lab",
    kind_exam: "Exam",
    tabs_label: "App sections",
    tab_timetable: "Week",
    tab_homework: "Homework",
    tab_grades: "Grades",
    tab_announcements: "Announcements",
    tab_messages: "Messages",
    homework_title: "Homework",
    homework_none: "No homework for now.",
    homework_due: "Due",
    homework_done: "Done",
    homework_overdue: "Overdue",
    homework_hand_in: "To hand in",
    events_title: "My events this week",
    events_none: "No personal events this week.",
    event_add: "Add an event",
    event_name: "Title",
    event_date: "Date",
    event_start: "Start",
    event_end: "End",
    event_save: "Add",
    event_remove: "Remove",
    grades_title: "Grades",
    grades_none: "No grades published yet.",
    grades_average: "Average",
    grades_overall: "Overall average",
    grades_coef: "coef.",
    grades_absent: "Absent",
    ann_title: "Announcements",
    ann_none: "No current announcements.",
    ann_information: "Information",
    ann_warning: "Warning",
    ann_alert: "Alert",
    ann_ack: "I have read this",
    ann_acked: "Acknowledged",
    msg_title: "Messages",
    msg_none: "No conversations.",
    msg_back: "All conversations",
    msg_deleted_account: "deleted account",
    msg_reply: "Your reply",
    msg_send: "Send",
    local_pending: "Not synced yet: will apply at the next sync.",
    tab_documents: "Documents",
    docs_title: "Course documents",
    docs_none: "No documents yet.",
    doc_open: "Open",
    doc_pin: "Keep offline",
    doc_unpin: "Remove from offline",
    doc_pinning: "Downloading…",
    doc_pinned: "Offline",
    storage_title: "Storage on this device",
    storage_pinned: "Files kept offline",
    storage_used: "Space used by Cartable",
    trip_title: "Trip pack",
    trip_intro: "Everything for the coming days, even with no network: timetable, homework, their attachments and the documents of your courses.",
    trip_days: "Length",
    trip_prepare: "Prepare",
    trip_confirm: "Download",
    trip_cancel: "Cancel",
    trip_close: "Close",
    viewer_close: "Close",
    viewer_download: "Save the file",
    file_offline: "is not available offline: keep it offline while you have a network.",
    file_error: "could not be opened or downloaded.",
    attachments: "Attachments",
    publish_title: "Publish a document",
    publish_group: "Group",
    publish_file: "File (PDF, image, office document)",
    publish_doc_title: "Title",
    publish_subject: "Subject",
    publish_kind: "Kind (lecture, exercises, answers…)",
    publish_submit: "Publish",
    publish_sending: "Sending…",
    publish_done: "Published: the group's students receive it.",
    publish_missing: "Choose a file and give a title and a subject.",
    publish_too_large: "This file is too large.",
    publish_bad_type: "This kind of file is not accepted, or its name does not match its content.",
    publish_failed: "Publishing failed: try again.",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    settings: &settings::EN,
    access: &access::EN,
    teach: &teach::EN,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).unwrap()
    }

    #[test]
    fn language_is_the_saved_one_then_the_browsers_then_french() {
        assert_eq!(Lang::pick(Some("en"), Some("fr-FR")), Lang::En);
        assert_eq!(Lang::pick(None, Some("en-GB")), Lang::En);
        assert_eq!(Lang::pick(Some("xx"), Some("fr-CA")), Lang::Fr);
        assert_eq!(Lang::pick(None, Some("de-DE")), Lang::Fr);
        assert_eq!(Lang::pick(None, None), Lang::Fr);
        assert_eq!(Lang::from_tag("EN_us"), Some(Lang::En));
    }

    #[test]
    fn day_headings_read_naturally() {
        assert_eq!(Lang::Fr.day_heading(date(2026, 11, 23)), "lundi 23 novembre");
        assert_eq!(Lang::Fr.day_heading(date(2026, 12, 1)), "mardi 1er décembre");
        assert_eq!(Lang::En.day_heading(date(2026, 11, 23)), "Monday 23 November");
    }

    #[test]
    fn week_headings_span_months() {
        assert_eq!(Lang::Fr.week_heading(date(2026, 11, 23)), "Semaine du 23 au 29 novembre 2026");
        assert_eq!(
            Lang::Fr.week_heading(date(2026, 11, 30)),
            "Semaine du 30 novembre au 6 décembre 2026"
        );
        assert_eq!(Lang::En.week_heading(date(2026, 11, 23)), "Week of 23–29 November 2026");
    }

    #[test]
    fn last_sync_shows_the_date_only_when_not_today() {
        let today = date(2026, 11, 23);
        let at = LocalDateTime { date: today, hour: 14, minute: 2 };
        assert_eq!(Lang::Fr.last_sync(Some(&at), today), "Dernière synchro : 14:02");
        let earlier = LocalDateTime { date: date(2026, 11, 20), hour: 9, minute: 0 };
        assert_eq!(Lang::Fr.last_sync(Some(&earlier), today), "Dernière synchro : 20 nov. 09:00");
        assert_eq!(Lang::Fr.last_sync(None, today), "Dernière synchro : jamais");
        assert_eq!(Lang::En.last_sync(Some(&at), today), "Last sync: 14:02");
    }

    #[test]
    fn pending_counts_agree_in_number() {
        assert_eq!(Lang::Fr.pending(1), "1 modification en attente");
        assert_eq!(Lang::Fr.pending(3), "3 modifications en attente");
        assert_eq!(Lang::En.pending(2), "2 changes waiting to be sent");
        assert_eq!(Lang::Fr.hidden_count(1), "1 cours masqué");
        assert_eq!(Lang::Fr.hidden_count(2), "2 cours masqués");
        assert_eq!(Lang::En.hidden_count(1), "1 hidden course");
        assert_eq!(Lang::En.hidden_count(3), "3 hidden courses");
    }

    #[test]
    fn kinds_and_states_are_translated() {
        assert_eq!(Lang::Fr.kind(SessionKind::Exam), "Examen");
        assert_eq!(Lang::Fr.kind(SessionKind::Td), "TD");
        assert_eq!(Lang::Fr.connection(Connection::Syncing), "Synchronisation…");
        assert_eq!(Lang::En.connection(Connection::Offline), "Offline");
    }
}
