//! Grades: by subject, with coefficients and weighted averages.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::views::{SubjectGrades, format_grade, is_new, newest_published, out_of_20};

/// Props of [`grades_view`].
#[derive(Debug, Clone)]
pub struct GradesViewProps<'a> {
    /// Subjects with their grades and averages.
    pub subjects: &'a [SubjectGrades<'a>],
    /// The overall average out of 20.
    pub overall: Option<f64>,
    /// The interface language.
    pub lang: Lang,
    /// The newest publication this device has marked as seen (grades after it are new).
    pub seen_ms: i64,
    /// "Mark all as seen": receives the newest publication shown.
    pub onseen: &'a Callback<i64>,
}

/// `<main id="grades">`: `#grades-overall`, one `section.subject` per subject with
/// `.subject-average` and one `li.grade[data-assessment-id]` per grade (class `new` and a
/// `.badge-new` until seen; `#grades-seen` marks every grade shown as seen).
pub fn grades_view(props: &GradesViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t();
    let comma = lang == Lang::Fr;
    let avg = |v: Option<f64>| {
        v.map_or_else(|| "–".to_owned(), |v| format!("{} / 20", format_grade(v, comma)))
    };
    html! {
        <main id="grades" aria-labelledby="grades-title">
            <h1 id="grades-title">{ t.grades_title }</h1>
            if props.subjects.is_empty() {
                <p class="empty">{ t.grades_none }</p>
            } else {
                if let Some(newest) = newest_published(props.subjects).filter(|n| *n > props.seen_ms) {
                    <button id="grades-seen" type="button" onclick={{
                        let cb = props.onseen.clone();
                        Callback::from(move |_: MouseEvent| cb.emit(newest))
                    }}>{ t.grades_seen }</button>
                }
                <p id="grades-overall">{ format!("{} : {}", t.grades_overall, avg(props.overall)) }</p>
            }
            { for props.subjects.iter().map(|s| html! {
                <section class="subject">
                    <h2>{ s.subject }</h2>
                    <p class="subject-average">{ format!("{} : {}", t.grades_average, avg(s.average)) }</p>
                    <ul>
                        { for s.items.iter().map(|(id, a)| {
                            let score = match (a.score, out_of_20(a)) {
                                (Some(v), _) => format!("{} / {}", format_grade(v, comma), format_grade(a.out_of, comma)),
                                _ => t.grades_absent.to_owned(),
                            };
                            html! {
                                <li class={classes!("grade", is_new(a, props.seen_ms).then_some("new"))} data-assessment-id={id.to_string()}>
                                    <span class="grade-title">
                                        { &a.title }
                                        if is_new(a, props.seen_ms) { { " " }<span class="badge badge-new">{ t.grade_new }</span> }
                                    </span>
                                    <span class="grade-score">{ score }</span>
                                    <span class="grade-coef">{ format!("{} {}", t.grades_coef, format_grade(a.coefficient, comma)) }</span>
                                    if let Some(c) = &a.comment { <span class="grade-comment">{ c }</span> }
                                </li>
                            }
                        }) }
                    </ul>
                </section>
            }) }
        </main>
    }
}
