//! The next session of today, at the top of the timetable.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::week::SessionCard;

/// Props of [`next_session`].
#[derive(Debug, Clone, Copy)]
pub struct NextSessionProps<'a> {
    /// The session.
    pub card: &'a SessionCard,
    /// The interface language.
    pub lang: Lang,
}

/// `<aside id="next-session">`. Not an `article.session`: the session also appears in its day.
pub fn next_session(props: NextSessionProps<'_>) -> Html {
    let NextSessionProps { card, lang } = props;
    let t = lang.t();
    let mut details = vec![lang.kind(card.kind).to_owned()];
    if !card.rooms.is_empty() {
        details.push(card.rooms.join(", "));
    }
    html! {
        <aside id="next-session" aria-labelledby="next-session-title">
            <h2 id="next-session-title">{ t.next_session }</h2>
            <p class="next-time">{ lang.time_range(&card.start, &card.end) }</p>
            <p class="next-subject">{ &card.subject }</p>
            <p class="next-details">{ details.join(" · ") }</p>
        </aside>
    }
}
