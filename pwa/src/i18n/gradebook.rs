//! The strings of the teacher's gradebook (a part of [`super::Texts`] of its own): the
//! assessments of a group, one table of scores, and their publication now or at a set time.

/// Gradebook strings of one language.
#[derive(Debug)]
pub struct GradebookTexts {
    /// Heading, followed by the group.
    pub heading: &'static str,
    /// No assessment yet.
    pub empty: &'static str,
    /// Heading of the new assessment form.
    pub new: &'static str,
    /// Label: subject.
    pub subject: &'static str,
    /// Label: what is assessed.
    pub title: &'static str,
    /// Label: the day of the assessment.
    pub date: &'static str,
    /// Label: the maximum score.
    pub out_of: &'static str,
    /// Label: the coefficient.
    pub coefficient: &'static str,
    /// Button: create the assessment.
    pub create: &'static str,
    /// The form is incomplete or out of range.
    pub invalid: &'static str,
    /// Column: the student.
    pub student: &'static str,
    /// Column: the score.
    pub score: &'static str,
    /// Column: the comment.
    pub comment: &'static str,
    /// Help under the table: how to type a score.
    pub score_help: &'static str,
    /// A score that is not a number within the maximum.
    pub bad_score: &'static str,
    /// Status: a draft.
    pub draft: &'static str,
    /// Status: scheduled, followed by the time.
    pub scheduled: &'static str,
    /// Status: published, followed by the time.
    pub published: &'static str,
    /// Button: publish now.
    pub publish_now: &'static str,
    /// Label: publish at (date).
    pub publish_date: &'static str,
    /// Label: publish at (time).
    pub publish_time: &'static str,
    /// Button: schedule the publication.
    pub schedule: &'static str,
    /// Button: back to a draft.
    pub unschedule: &'static str,
    /// Button: delete the draft.
    pub delete: &'static str,
    /// Only its author changes an assessment.
    pub not_yours: &'static str,
    /// "out of" between a score and its maximum, and before the coefficient.
    pub coefficient_short: &'static str,
    /// Button: import the scores of a CSV file.
    pub import_csv: &'static str,
    /// Label of the CSV file input.
    pub import_file: &'static str,
    /// The preview is being asked for.
    pub import_busy: &'static str,
    /// The preview needs the network.
    pub import_offline: &'static str,
    /// The server refused the file as a whole, followed by its reason.
    pub import_failed: &'static str,
    /// Nothing is changed by the preview.
    pub import_preview: &'static str,
    /// Heading: the valid lines.
    pub import_valid: &'static str,
    /// Heading: the refused lines.
    pub import_refused: &'static str,
    /// Column: the line of the file.
    pub import_line: &'static str,
    /// Button: apply the valid lines, before and after their count.
    pub import_apply: (&'static str, &'static str),
    /// Button: apply the only valid line.
    pub import_apply_one: &'static str,
    /// Button: discard the preview.
    pub import_cancel: &'static str,
}

/// French.
pub(super) static FR: GradebookTexts = GradebookTexts {
    heading: "Carnet de notes",
    empty: "Aucune évaluation pour l'instant.",
    new: "Nouvelle évaluation",
    subject: "Matière",
    title: "Intitulé",
    date: "Date",
    out_of: "Noté sur",
    coefficient: "Coefficient",
    create: "Créer",
    invalid: "Vérifiez la matière, l'intitulé, la date, le barème et le coefficient.",
    student: "Élève",
    score: "Note",
    comment: "Commentaire",
    score_help: "Saisissez un nombre (12,5) ou « abs » pour une absence ; Entrée passe à l'élève suivant. Les notes restent invisibles des élèves jusqu'à leur publication.",
    bad_score: "Un nombre entre 0 et le barème, ou « abs ».",
    draft: "Brouillon",
    scheduled: "Publication prévue le",
    published: "Publiée le",
    publish_now: "Publier maintenant",
    publish_date: "Publier le",
    publish_time: "à",
    schedule: "Programmer",
    unschedule: "Repasser en brouillon",
    delete: "Supprimer le brouillon",
    not_yours: "Seul l'auteur de cette évaluation peut la modifier.",
    coefficient_short: "coef.",
    import_csv: "Importer un fichier CSV",
    import_file: "Fichier CSV (élève, note, commentaire)",
    import_busy: "Vérification du fichier…",
    import_offline: "L'aperçu de l'import a besoin du réseau : reconnectez-vous puis réessayez.",
    import_failed: "Le fichier a été refusé :",
    import_preview: "Aperçu : rien n'est encore modifié.",
    import_valid: "Lignes valides",
    import_refused: "Lignes refusées",
    import_line: "Ligne",
    import_apply: ("Appliquer les", "lignes valides"),
    import_apply_one: "Appliquer la ligne valide",
    import_cancel: "Annuler",
};

/// English.
pub(super) static EN: GradebookTexts = GradebookTexts {
    heading: "Gradebook",
    empty: "No assessment yet.",
    new: "New assessment",
    subject: "Subject",
    title: "Title",
    date: "Date",
    out_of: "Out of",
    coefficient: "Coefficient",
    create: "Create",
    invalid: "Check the subject, title, date, maximum and coefficient.",
    student: "Student",
    score: "Score",
    comment: "Comment",
    score_help: "Type a number (12.5) or “abs” for an absence; Enter moves to the next student. Students do not see the scores until they are published.",
    bad_score: "A number between 0 and the maximum, or “abs”.",
    draft: "Draft",
    scheduled: "To be published on",
    published: "Published on",
    publish_now: "Publish now",
    publish_date: "Publish on",
    publish_time: "at",
    schedule: "Schedule",
    unschedule: "Back to draft",
    delete: "Delete draft",
    not_yours: "Only the author of this assessment may change it.",
    coefficient_short: "coef.",
    import_csv: "Import a CSV file",
    import_file: "CSV file (student, score, comment)",
    import_busy: "Checking the file…",
    import_offline: "The import preview needs the network: reconnect and try again.",
    import_failed: "The file was refused:",
    import_preview: "Preview: nothing has changed yet.",
    import_valid: "Valid lines",
    import_refused: "Refused lines",
    import_line: "Line",
    import_apply: ("Apply the", "valid lines"),
    import_apply_one: "Apply the valid line",
    import_cancel: "Cancel",
};
