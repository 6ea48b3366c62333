//! The UI's components, one per file. They render props and call `on<event>` callbacks; they
//! run no effects.

mod app_header;
mod day_section;
mod lang_switch;
mod login_form;
mod next_session;
mod session_card;
mod sync_indicator;
mod update_banner;
mod week_view;

pub use app_header::{AppHeader, AppHeaderProps};
pub use day_section::{DaySection, DaySectionProps};
pub use lang_switch::{LangSwitch, LangSwitchProps};
pub use login_form::{LoginForm, LoginFormProps};
pub use next_session::{NextSession, NextSessionProps};
pub use session_card::{SessionCardView, SessionCardViewProps};
pub use sync_indicator::{SyncIndicator, SyncIndicatorProps};
pub use update_banner::{UpdateBanner, UpdateBannerProps};
pub use week_view::{WeekView, WeekViewProps};
