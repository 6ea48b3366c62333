//! The strings of the settings view (a part of [`super::Texts`] of its own, so that the
//! catalogue's main table stays readable).

/// The settings view's strings of one language.
#[derive(Debug)]
pub struct SettingsTexts {
    /// Heading of the view, and the header button that opens it.
    pub title: &'static str,
    /// Heading: theme and language.
    pub appearance: &'static str,
    /// Label of the theme choice.
    pub theme: &'static str,
    /// System, light, dark, high contrast.
    pub themes: [&'static str; 4],
    /// Heading: notifications.
    pub notifications: &'static str,
    /// Label of the level choice.
    pub level: &'static str,
    /// Essential, intermediate, complete, each with what it includes.
    pub levels: [&'static str; 3],
    /// Heading of the per-category switches.
    pub categories: &'static str,
    /// Every category, in the order of `notify::Category::ALL`.
    pub category_names: [&'static str; 13],
    /// Heading: quiet hours.
    pub quiet_hours: &'static str,
    /// What quiet hours do.
    pub quiet_intro: &'static str,
    /// Start of the quiet hours.
    pub quiet_start: &'static str,
    /// End of the quiet hours.
    pub quiet_end: &'static str,
    /// Save the quiet hours.
    pub quiet_save: &'static str,
    /// Remove the quiet hours.
    pub quiet_none: &'static str,
    /// Heading: push on this device.
    pub device_push: &'static str,
    /// Label of the device name.
    pub device_name: &'static str,
    /// Turn push on here.
    pub push_enable: &'static str,
    /// Turn push off here.
    pub push_disable: &'static str,
    /// Push is on here.
    pub push_on: &'static str,
    /// Push is off here.
    pub push_off: &'static str,
    /// A request is in flight.
    pub push_busy: &'static str,
    /// No Web Push in this browser.
    pub push_unsupported: &'static str,
    /// iPhone / iPad outside the Home Screen app.
    pub push_home_screen: &'static str,
    /// Notifications refused for the site.
    pub push_denied: &'static str,
    /// The last attempt failed.
    pub push_failed: &'static str,
    /// Heading: devices receiving notifications.
    pub devices: &'static str,
    /// No device.
    pub devices_none: &'static str,
    /// Marks this device in the lists.
    pub this_device: &'static str,
    /// Remove a device.
    pub remove: &'static str,
    /// A list that needs the network.
    pub online_only: &'static str,
    /// Heading: notifications received here.
    pub recent: &'static str,
    /// None received.
    pub recent_none: &'static str,
    /// Heading: storage.
    pub storage: &'static str,
    /// Before the used / quota figures.
    pub storage_used: &'static str,
    /// Between used and quota.
    pub storage_of: &'static str,
    /// Ask for persistent storage.
    pub persist_ask: &'static str,
    /// Persistent storage granted.
    pub persist_yes: &'static str,
    /// Persistent storage not granted.
    pub persist_no: &'static str,
    /// Delete the data of this device.
    pub clear_local: &'static str,
    /// Heading: last connections.
    pub connections: &'static str,
    /// A connection still signed in.
    pub active: &'static str,
    /// A connection signed out.
    pub ended: &'static str,
    /// A device that did not name itself.
    pub unknown_device: &'static str,
    /// End every session.
    pub sign_out_everywhere: &'static str,
    /// Title of the calendar export section.
    pub calendar: &'static str,
    /// What the calendar feed is.
    pub calendar_about: &'static str,
    /// Create the feed.
    pub calendar_create: &'static str,
    /// Replace the feed by a new one.
    pub calendar_renew: &'static str,
    /// Revoke the feed.
    pub calendar_revoke: &'static str,
    /// "Active since" (then a date).
    pub calendar_since: &'static str,
    /// "last read by a calendar:" (then a date).
    pub calendar_last_used: &'static str,
    /// Label of the just-created address.
    pub calendar_url: &'static str,
    /// The address is shown only once.
    pub calendar_copy_now: &'static str,
    /// Confirmation: signing out loses unsent changes (followed by the count).
    pub confirm_sign_out: &'static str,
    /// Button: sign out anyway.
    pub confirm_sign_out_yes: &'static str,
    /// Confirmation: clear local data.
    pub confirm_clear: &'static str,
    /// Button: clear.
    pub confirm_clear_yes: &'static str,
    /// Confirmation: sign out everywhere.
    pub confirm_everywhere: &'static str,
    /// Cancel a confirmation.
    pub cancel: &'static str,
}

/// French.
pub(super) static FR: SettingsTexts = SettingsTexts {
    title: "Réglages",
    appearance: "Apparence",
    theme: "Thème",
    themes: ["Comme le système", "Clair", "Sombre", "Contraste élevé"],
    notifications: "Notifications",
    level: "Niveau",
    levels: [
        "Essentiel : notes, cours annulés ou déplacés, alertes",
        "Intermédiaire : et aussi messages, changements de salle, devoirs pour demain, avertissements",
        "Complet : tout, y compris nouveaux devoirs et documents",
    ],
    categories: "Par catégorie",
    category_names: [
        "Note publiée",
        "Cours annulé",
        "Cours déplacé",
        "Annonce d’alerte",
        "Nouveau message",
        "Rappel de la bibliothèque",
        "Changement de salle",
        "Devoir à rendre demain",
        "Annonce importante",
        "Nouveau devoir",
        "Devoir modifié",
        "Nouveau document de cours",
        "Annonce d’information",
    ],
    quiet_hours: "Heures calmes",
    quiet_intro: "Pendant ces heures, seuls les cours annulés ou déplacés dans les 12 heures sont signalés ; le reste arrive en un résumé à la fin.",
    quiet_start: "Début",
    quiet_end: "Fin",
    quiet_save: "Enregistrer les heures calmes",
    quiet_none: "Pas d’heures calmes",
    device_push: "Sur cet appareil",
    device_name: "Nom de l’appareil",
    push_enable: "Activer les notifications",
    push_disable: "Désactiver les notifications",
    push_on: "Les notifications sont activées sur cet appareil.",
    push_off: "Les notifications sont désactivées sur cet appareil.",
    push_busy: "Un instant…",
    push_unsupported: "Ce navigateur ne peut pas recevoir de notifications.",
    push_home_screen: "Sur iPhone et iPad, les notifications ne fonctionnent que pour l’app ajoutée à l’écran d’accueil (iOS 16.4 ou plus récent) : touchez Partager, puis « Sur l’écran d’accueil », et ouvrez Cartable depuis son icône.",
    push_denied: "Les notifications sont bloquées pour Cartable : autorisez-les dans les réglages du navigateur.",
    push_failed: "L’activation a échoué. Vérifiez la connexion et réessayez.",
    devices: "Appareils qui reçoivent les notifications",
    devices_none: "Aucun appareil.",
    this_device: "cet appareil",
    remove: "Retirer",
    online_only: "Disponible uniquement en ligne.",
    recent: "Notifications récentes",
    recent_none: "Aucune notification reçue sur cet appareil.",
    storage: "Stockage",
    storage_used: "Utilisé :",
    storage_of: "sur",
    persist_ask: "Demander un stockage persistant",
    persist_yes: "Stockage persistant : accordé.",
    persist_no: "Stockage persistant : non accordé (le navigateur peut effacer les données s’il manque de place).",
    clear_local: "Effacer les données de cet appareil",
    connections: "Connexions récentes",
    active: "active",
    ended: "terminée",
    unknown_device: "Appareil inconnu",
    sign_out_everywhere: "Se déconnecter partout",
    calendar: "Agenda",
    calendar_about: "Un lien privé pour voir vos cours, vos devoirs à rendre et vos évènements personnels dans Google Agenda ou Calendrier d’Apple, mis à jour tout seul. Ne le partagez pas.",
    calendar_create: "Créer mon lien d’agenda",
    calendar_renew: "Créer un nouveau lien (l’ancien cessera de fonctionner)",
    calendar_revoke: "Supprimer le lien",
    calendar_since: "Lien actif depuis le",
    calendar_last_used: "dernière lecture par un agenda :",
    calendar_url: "Adresse à ajouter à votre agenda",
    calendar_copy_now: "Copiez cette adresse maintenant : elle ne sera plus affichée.",
    confirm_sign_out: "Des modifications n’ont pas encore été envoyées au serveur ; elles seront perdues si vous vous déconnectez maintenant. En attente :",
    confirm_sign_out_yes: "Se déconnecter quand même",
    confirm_clear: "Les données de cet appareil seront effacées puis téléchargées à nouveau ; les modifications non envoyées seront perdues.",
    confirm_clear_yes: "Effacer",
    confirm_everywhere: "Toutes vos sessions seront fermées, sur tous vos appareils, celle-ci comprise.",
    cancel: "Annuler",
};

/// English.
pub(super) static EN: SettingsTexts = SettingsTexts {
    title: "Settings",
    appearance: "Appearance",
    theme: "Theme",
    themes: ["Same as the system", "Light", "Dark", "High contrast"],
    notifications: "Notifications",
    level: "Level",
    levels: [
        "Essential: grades, cancelled or moved classes, alerts",
        "Intermediate: also messages, room changes, homework due tomorrow, warnings",
        "Complete: everything, new homework and documents included",
    ],
    categories: "By category",
    category_names: [
        "Grade published",
        "Class cancelled",
        "Class moved",
        "Alert announcement",
        "New message",
        "Library reminder",
        "Room changed",
        "Homework due tomorrow",
        "Warning announcement",
        "New homework",
        "Homework changed",
        "New course document",
        "Information announcement",
    ],
    quiet_hours: "Quiet hours",
    quiet_intro: "During these hours only classes cancelled or moved within the next 12 hours are notified; the rest comes as one summary when they end.",
    quiet_start: "Start",
    quiet_end: "End",
    quiet_save: "Save quiet hours",
    quiet_none: "No quiet hours",
    device_push: "On this device",
    device_name: "Device name",
    push_enable: "Turn on notifications",
    push_disable: "Turn off notifications",
    push_on: "Notifications are on for this device.",
    push_off: "Notifications are off for this device.",
    push_busy: "One moment…",
    push_unsupported: "This browser cannot receive notifications.",
    push_home_screen: "On iPhone and iPad, notifications only work for the app added to the Home Screen (iOS 16.4 or later): tap Share, then “Add to Home Screen”, and open Cartable from its icon.",
    push_denied: "Notifications are blocked for Cartable: allow them in the browser’s settings.",
    push_failed: "Turning notifications on failed. Check the connection and try again.",
    devices: "Devices receiving notifications",
    devices_none: "No device.",
    this_device: "this device",
    remove: "Remove",
    online_only: "Only available online.",
    recent: "Recent notifications",
    recent_none: "No notification received on this device.",
    storage: "Storage",
    storage_used: "Used:",
    storage_of: "of",
    persist_ask: "Ask for persistent storage",
    persist_yes: "Persistent storage: granted.",
    persist_no: "Persistent storage: not granted (the browser may delete the data when space runs low).",
    clear_local: "Delete this device’s data",
    connections: "Recent sign-ins",
    active: "active",
    ended: "ended",
    unknown_device: "Unknown device",
    sign_out_everywhere: "Sign out everywhere",
    calendar: "Calendar",
    calendar_about: "A private link to see your classes, homework due dates and personal events in Google Calendar or Apple Calendar, kept up to date. Do not share it.",
    calendar_create: "Create my calendar link",
    calendar_renew: "Create a new link (the old one stops working)",
    calendar_revoke: "Delete the link",
    calendar_since: "Link active since",
    calendar_last_used: "last read by a calendar:",
    calendar_url: "Address to add to your calendar",
    calendar_copy_now: "Copy this address now: it will not be shown again.",
    confirm_sign_out: "Some changes have not reached the server yet; they will be lost if you sign out now. Waiting:",
    confirm_sign_out_yes: "Sign out anyway",
    confirm_clear: "This device’s data will be deleted and downloaded again; changes not sent yet will be lost.",
    confirm_clear_yes: "Delete",
    confirm_everywhere: "Every session will be ended, on all your devices, this one included.",
    cancel: "Cancel",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_and_choice_has_its_own_name_in_both_languages() {
        for t in [&FR, &EN] {
            let mut names: Vec<&str> = t.category_names.to_vec();
            names.extend(t.themes);
            names.extend(t.levels);
            assert!(names.iter().all(|n| !n.trim().is_empty()));
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "two choices share a name");
        }
        assert_ne!(FR.category_names, EN.category_names);
    }
}
