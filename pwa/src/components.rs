//! The UI's components, one per file. Each is a function of its `XxxProps` that renders and
//! wires `on<event>` callbacks; none runs an effect (those are in `hooks/`).
//!
//! They are plain functions rendered inline by the root component ([`crate::app::App`], the
//! only Yew `#[component]`), not components of their own: a Yew component costs about 1.5 KB of
//! wasm for its lifecycle, and the whole view is small enough to diff at once: this keeps the
//! first-paint download under its budget (DESIGN §10).

mod announce_form;
mod announcements_view;
mod app_header;
mod blocked_screen;
mod confirm_dialog;
mod day_section;
mod documents_view;
mod fields;
mod file_actions;
mod file_viewer;
mod gradebook_import;
mod gradebook_view;
mod grades_view;
mod homework_form;
mod homework_view;
mod install_hint;
mod lang_switch;
mod login_form;
mod message_form;
mod messages_view;
mod next_session;
mod personal_events;
mod publish_form;
mod publish_host;
mod session_card;
mod session_dialog;
mod settings_view;
mod stale_banner;
mod sync_indicator;
mod tab_bar;
mod update_banner;
mod week_view;

pub use announce_form::{AnnounceFormProps, announce_form};
pub use announcements_view::{AnnouncementsViewProps, announcements_view};
pub use app_header::{AppHeaderProps, app_header};
pub use blocked_screen::{BlockedScreenProps, blocked_screen};
pub use confirm_dialog::{ConfirmDialogProps, confirm_dialog};
pub use day_section::{DaySectionProps, day_section};
pub use documents_view::{DocumentsViewProps, documents_view};
pub use file_actions::{FileActionsProps, file_actions};
pub use file_viewer::{FileViewerProps, file_viewer};
pub use gradebook_view::{GradebookViewProps, gradebook_view};
pub use grades_view::{GradesViewProps, grades_view};
pub use homework_form::{HomeworkFormProps, homework_form};
pub use homework_view::{HomeworkViewProps, homework_view};
pub use install_hint::{InstallHintProps, install_hint};
pub use lang_switch::{LangSwitchProps, lang_switch};
pub use login_form::{LoginFormProps, login_form};
pub use message_form::{MessageFormProps, message_form};
pub use messages_view::{MessagesViewProps, messages_view};
pub use next_session::{NextSessionProps, next_session};
pub use personal_events::{PersonalEventsProps, personal_events};
pub use publish_form::{PublishFormProps, publish_form};
pub use publish_host::{PublishHostProps, publish_host};
pub use session_card::{SessionCardProps, session_card};
pub use session_dialog::{SessionDialogProps, session_dialog};
pub use settings_view::{SettingsViewProps, settings_view};
pub use stale_banner::{StaleBannerProps, stale_banner};
pub use sync_indicator::{SyncIndicatorProps, sync_indicator};
pub use tab_bar::{TabBarProps, tab_bar};
pub use update_banner::{UpdateBannerProps, update_banner};
pub use week_view::{WeekViewProps, week_view};

/// The value of the page's `<input id={id}>` (empty if there is none), read when a form is
/// submitted rather than kept in the state on every keystroke.
pub(crate) fn input_value(id: &str) -> String {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}
