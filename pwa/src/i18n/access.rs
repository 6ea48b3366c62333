//! The strings of what the app shows about the account's access: the block period's screen,
//! the link to the administration page, and downloading one's data (a part of
//! [`super::Texts`] of its own).

/// Access strings of one language.
#[derive(Debug)]
pub struct AccessTexts {
    /// Heading of the block period's screen.
    pub blocked_title: &'static str,
    /// Before the end date of the block period.
    pub blocked_until: &'static str,
    /// Check again whether the block period is over.
    pub blocked_retry: &'static str,
    /// The header link to the administration page (administrators only).
    pub admin_link: &'static str,
    /// Heading: my data.
    pub my_data: &'static str,
    /// What the downloads hold.
    pub my_data_about: &'static str,
    /// Download everything, as JSON.
    pub download_json: &'static str,
    /// Download my calendar.
    pub download_ics: &'static str,
}

/// French.
pub(super) static FR: AccessTexts = AccessTexts {
    blocked_title: "Accès momentanément fermé",
    blocked_until: "Réouverture prévue le",
    blocked_retry: "Vérifier à nouveau",
    admin_link: "Administration",
    my_data: "Mes données",
    my_data_about: "Téléchargez tout ce que Cartable conserve sur vous (compte, groupes, connexions, réglages, notes, messages…), ainsi que votre calendrier.",
    download_json: "Télécharger mes données (JSON)",
    download_ics: "Télécharger mon calendrier (.ics)",
};

/// English.
pub(super) static EN: AccessTexts = AccessTexts {
    blocked_title: "Access closed for now",
    blocked_until: "Expected to reopen on",
    blocked_retry: "Check again",
    admin_link: "Administration",
    my_data: "My data",
    my_data_about: "Download everything Cartable keeps about you (account, groups, connections, settings, grades, messages…), and your calendar.",
    download_json: "Download my data (JSON)",
    download_ics: "Download my calendar (.ics)",
};
