//! The strings of the publishing views of teachers, staff and admins (a part of
//! [`super::Texts`] of its own): session changes, homework, announcements and who acknowledged
//! them, messages to a group.

/// The publishing views' strings of one language.
#[derive(Debug)]
pub struct TeachTexts {
    /// Local changes were refused (by the server, or they no longer applied) and undone.
    pub refused: &'static str,
    /// Close a notice.
    pub dismiss: &'static str,
    /// Shown where a publishing view goes while the publishing module downloads.
    pub module_loading: &'static str,
    /// The publishing module could not be downloaded.
    pub module_failed: &'static str,
    /// Button on a session card: cancel the session.
    pub cancel_session: &'static str,
    /// Button on a session card: move the session.
    pub move_session: &'static str,
    /// Button on a session card: change the room.
    pub change_room: &'static str,
    /// Dialog heading: cancel.
    pub cancel_title: &'static str,
    /// Dialog heading: move.
    pub move_title: &'static str,
    /// Dialog heading: room.
    pub room_title: &'static str,
    /// Label: new date.
    pub new_date: &'static str,
    /// Label: new start time.
    pub new_start: &'static str,
    /// Label: new end time.
    pub new_end: &'static str,
    /// Label: new rooms (comma separated).
    pub new_rooms: &'static str,
    /// Label: an optional note to the students.
    pub note: &'static str,
    /// Confirm a dialog.
    pub confirm: &'static str,
    /// Close a dialog without changing anything.
    pub back: &'static str,
    /// The dialog's input is not valid (end before start, no room).
    pub invalid: &'static str,
    /// Saved on this device; sent when online.
    pub saved: &'static str,
    /// Heading of the homework form.
    pub homework_form: &'static str,
    /// Heading of the homework form when editing one.
    pub homework_edit: &'static str,
    /// Label: the group.
    pub group: &'static str,
    /// Label: the subject.
    pub subject: &'static str,
    /// Label: the title.
    pub title: &'static str,
    /// Label: the text / body.
    pub text: &'static str,
    /// Label: due date.
    pub due: &'static str,
    /// Label: something must be handed in.
    pub hand_in: &'static str,
    /// Label: attachments.
    pub attachments: &'static str,
    /// Attachments need the network (they are uploaded first).
    pub attachments_online: &'static str,
    /// An attachment could not be uploaded.
    pub upload_failed: &'static str,
    /// Publish (homework, announcement).
    pub publish: &'static str,
    /// Edit an entry (one's own; any announcement for staff).
    pub edit: &'static str,
    /// Remove an entry (one's own; any announcement for staff).
    pub remove: &'static str,
    /// Heading of the announcement form.
    pub announce_form: &'static str,
    /// Heading of the announcement form when editing one.
    pub announce_edit: &'static str,
    /// Before the author of an announcement someone else wrote (staff see them all).
    pub by: &'static str,
    /// Label: severity.
    pub severity: &'static str,
    /// Information, warning, alert.
    pub severities: [&'static str; 3],
    /// Label: audience.
    pub audience: &'static str,
    /// The audience `everyone`.
    pub everyone: &'static str,
    /// Label: visible from.
    pub visible_from: &'static str,
    /// Label: visible until (optional).
    pub visible_until: &'static str,
    /// Label: acknowledgement required.
    pub ack_required: &'static str,
    /// Button: who acknowledged.
    pub who_acked: &'static str,
    /// Heading: acknowledged.
    pub acked: &'static str,
    /// Heading: not yet.
    pub not_acked: &'static str,
    /// The list needs the network.
    pub acks_offline: &'static str,
    /// Heading of the group message form.
    pub message_group: &'static str,
    /// Label: recipients (a group or a student).
    pub recipients: &'static str,
    /// The option "the whole group".
    pub whole_group: &'static str,
    /// Label: the message.
    pub message: &'static str,
    /// Send.
    pub send: &'static str,
    /// Sent (with the number of threads written in the status).
    pub sent: &'static str,
    /// A message to a group needs the network.
    pub send_failed: &'static str,
    /// The announcement form is missing something or its dates are the wrong way round.
    pub invalid_announcement: &'static str,
}

/// French.
pub(super) static FR: TeachTexts = TeachTexts {
    refused: "Une de vos modifications n'a pas été acceptée par le serveur : elle a été annulée.",
    dismiss: "Fermer",
    module_loading: "Chargement des outils de publication…",
    module_failed: "Les outils de publication n'ont pas pu être chargés : ils le seront au retour du réseau.",
    cancel_session: "Annuler le cours",
    move_session: "Déplacer",
    change_room: "Changer de salle",
    cancel_title: "Annuler ce cours",
    move_title: "Déplacer ce cours",
    room_title: "Changer de salle",
    new_date: "Nouvelle date",
    new_start: "Début",
    new_end: "Fin",
    new_rooms: "Salles (séparées par des virgules)",
    note: "Note aux élèves (facultatif)",
    confirm: "Valider",
    back: "Retour",
    invalid: "Vérifiez la saisie : la fin doit suivre le début, et une salle est nécessaire.",
    saved: "Enregistré sur cet appareil, envoyé dès que possible.",
    homework_form: "Donner un devoir",
    homework_edit: "Modifier le devoir",
    group: "Groupe",
    subject: "Matière",
    title: "Titre",
    text: "Texte",
    due: "Pour le",
    hand_in: "À rendre",
    attachments: "Pièces jointes",
    attachments_online: "Les pièces jointes sont envoyées tout de suite : il faut être en ligne.",
    upload_failed: "L'envoi de la pièce jointe a échoué : rien n'a été publié.",
    publish: "Publier",
    edit: "Modifier",
    remove: "Supprimer",
    announce_form: "Écrire une annonce",
    announce_edit: "Modifier l'annonce",
    by: "par",
    severity: "Importance",
    severities: ["Information", "Avertissement", "Alerte"],
    audience: "Destinataires",
    everyone: "Tout l'établissement",
    visible_from: "Visible à partir du",
    visible_until: "Jusqu'au (facultatif)",
    ack_required: "Demander un accusé de lecture",
    who_acked: "Qui a lu ?",
    acked: "Ont confirmé la lecture",
    not_acked: "Pas encore",
    acks_offline: "La liste n'est disponible qu'en ligne.",
    message_group: "Écrire à un groupe ou à un élève",
    recipients: "Destinataires",
    whole_group: "tout le groupe",
    message: "Message",
    send: "Envoyer",
    sent: "Message envoyé.",
    send_failed: "L'envoi a échoué : vérifiez la connexion et réessayez.",
    invalid_announcement: "Il manque un titre, ou la date de fin précède la date de début.",
};

/// English.
pub(super) static EN: TeachTexts = TeachTexts {
    refused: "One of your changes was not accepted by the server: it was undone.",
    dismiss: "Close",
    module_loading: "Loading the publishing tools…",
    module_failed: "The publishing tools could not be loaded: they will be once the network is back.",
    cancel_session: "Cancel class",
    move_session: "Move",
    change_room: "Change room",
    cancel_title: "Cancel this class",
    move_title: "Move this class",
    room_title: "Change room",
    new_date: "New date",
    new_start: "Start",
    new_end: "End",
    new_rooms: "Rooms (comma separated)",
    note: "Note to students (optional)",
    confirm: "Confirm",
    back: "Back",
    invalid: "Check what you entered: the end must follow the start, and a room is needed.",
    saved: "Saved on this device, sent as soon as possible.",
    homework_form: "Set homework",
    homework_edit: "Edit homework",
    group: "Group",
    subject: "Subject",
    title: "Title",
    text: "Text",
    due: "Due",
    hand_in: "To hand in",
    attachments: "Attachments",
    attachments_online: "Attachments are uploaded at once: you need to be online.",
    upload_failed: "The attachment could not be uploaded: nothing was published.",
    publish: "Publish",
    edit: "Edit",
    remove: "Remove",
    announce_form: "Write an announcement",
    announce_edit: "Edit the announcement",
    by: "by",
    severity: "Severity",
    severities: ["Information", "Warning", "Alert"],
    audience: "Audience",
    everyone: "Whole school",
    visible_from: "Visible from",
    visible_until: "Until (optional)",
    ack_required: "Ask for an acknowledgement",
    who_acked: "Who read it?",
    acked: "Acknowledged",
    not_acked: "Not yet",
    acks_offline: "The list is only available online.",
    message_group: "Write to a group or a student",
    recipients: "Recipients",
    whole_group: "whole group",
    message: "Message",
    send: "Send",
    sent: "Message sent.",
    send_failed: "Sending failed: check the connection and try again.",
    invalid_announcement: "A title is missing, or the end date comes before the start date.",
};
