//! Small browser helpers shared by the UI and the engine: the clock, `Intl` time zones, HTTP
//! requests to the API, console logging and saved preferences. Works in a window and in a
//! worker (it uses only globals both have).

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use crate::calendar::{CivilDate, DAY_MS, FixedOffset, LocalDateTime, ZoneClock};
use crate::json::JsonValue;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, bound here with `catch` on the constructor: an unknown zone
    /// throws a `RangeError`, which must not abort the module.
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    #[derive(Debug)]
    type Dtf;

    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "DateTimeFormat", catch)]
    fn new(locale: &str, options: &JsValue) -> Result<Dtf, JsValue>;

    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = formatToParts)]
    fn format_to_parts(this: &Dtf, ms: f64) -> Array;

    /// The global `fetch`, present in windows and workers alike.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;

    /// `performance.mark`, present in windows and workers alike.
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str);
}

/// Sets a `performance.mark` (read by `cargo xtask bench app`, and visible in the browser's
/// performance tools): `cartable:ui-start` (the UI module runs), `cartable:idb-read` (the
/// stored views are read), `cartable:snapshot` (and decoded), `cartable:timetable` (the
/// timetable is first shown). `early.js` sets `cartable:boot` and `cartable:early-read`.
pub fn mark(name: &str) {
    performance_mark(name);
}

/// Now, UTC milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The wall-clock time of `ms` in the device's own zone.
pub fn device_time(ms: i64) -> LocalDateTime {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let date =
        CivilDate::new(d.get_full_year() as i32, d.get_month() as u8 + 1, d.get_date() as u8)
            .unwrap_or_else(|| CivilDate::from_days(ms.div_euclid(DAY_MS)));
    LocalDateTime { date, hour: d.get_hours() as u8, minute: d.get_minutes() as u8 }
}

/// The instant of a wall-clock time on the device (`minutes` after midnight of `date`), UTC
/// milliseconds.
pub fn device_instant(date: CivilDate, minutes: u32) -> i64 {
    let d = js_sys::Date::new_with_year_month_day_hr_min(
        date.year as u32,
        i32::from(date.month) - 1,
        i32::from(date.day),
        (minutes / 60) as i32,
        (minutes % 60) as i32,
    );
    d.get_time() as i64
}

/// Today on the device.
pub fn today() -> CivilDate {
    device_time(now_ms()).date
}

/// A [`ZoneClock`] backed by `Intl.DateTimeFormat`, which knows every IANA zone and costs no
/// bytes in the module. Formatters are cached per zone.
#[derive(Debug, Default)]
pub struct IntlClock {
    formatters: RefCell<Vec<(String, Option<Dtf>)>>,
}

impl IntlClock {
    /// A clock with an empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn formatter(zone: &str) -> Option<Dtf> {
        let opts = Object::new();
        let set = |k: &str, v: &str| {
            let _ = Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
        };
        set("timeZone", zone);
        set("hourCycle", "h23");
        for k in ["year", "month", "day", "hour", "minute"] {
            set(k, "numeric");
        }
        Dtf::new("en-US", &opts).ok()
    }
}

impl ZoneClock for IntlClock {
    fn local(&self, ms: i64, zone: &str) -> LocalDateTime {
        let mut cache = self.formatters.borrow_mut();
        let i = match cache.iter().position(|(z, _)| z == zone) {
            Some(i) => i,
            None => {
                cache.push((zone.to_owned(), Self::formatter(zone)));
                cache.len() - 1
            }
        };
        let Some(dtf) = &cache[i].1 else { return device_time(ms) };
        let (mut y, mut mo, mut d, mut h, mut mi) = (0i32, 0u8, 0u8, 0u8, 0u8);
        for part in dtf.format_to_parts(ms as f64).iter() {
            let get = |k: &str| Reflect::get(&part, &JsValue::from_str(k)).ok()?.as_string();
            let (Some(kind), Some(value)) = (get("type"), get("value")) else { continue };
            let n: i32 = value.parse().unwrap_or(0);
            match kind.as_str() {
                "year" => y = n,
                "month" => mo = n as u8,
                "day" => d = n as u8,
                "hour" => h = (n % 24) as u8,
                "minute" => mi = n as u8,
                _ => {}
            }
        }
        match CivilDate::new(y, mo, d) {
            Some(date) => LocalDateTime { date, hour: h, minute: mi },
            None => FixedOffset::default().local(ms, zone),
        }
    }
}

/// Resolves after the next frame is painted (a `requestAnimationFrame`, then a task): work
/// awaited after it does not delay the first paint. Resolves at once outside a window.
pub async fn after_paint() {
    let Some(window) = web_sys::window() else { return };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let w = window.clone();
        let then = Closure::once_into_js(move || {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 0);
        });
        let _ = window.request_animation_frame(then.unchecked_ref());
    });
    let _ = JsFuture::from(promise).await;
}

/// Logs a warning to the console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// Logs an error to the console.
pub fn error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
}

/// The answer to an API request: status and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: String,
}

/// Sends a same-origin request with the session cookie. `Err` means no answer (offline, server
/// unreachable), never an HTTP error status.
pub async fn api(method: &str, path: &str, json: Option<&str>) -> Result<HttpAnswer, JsValue> {
    api_body(method, path, json.map(|body| (body, "application/json"))).await
}

/// Like [`api`], with a body of any text type: `(body, content type)`.
pub async fn api_body(
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Result<HttpAnswer, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some((text, _)) = body {
        init.set_body(&JsValue::from_str(text));
    }
    let request = Request::new_with_str_and_init(path, &init)?;
    request.headers().set("Accept", "application/json")?;
    if let Some((_, content_type)) = body {
        request.headers().set("Content-Type", content_type)?;
    }
    let response: Response = JsFuture::from(global_fetch(&request)).await?.dyn_into()?;
    let body = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok(HttpAnswer { status: response.status(), body })
}

/// A saved preference (`localStorage`, window only).
pub fn pref(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

/// Saves a preference; failures (private mode, quota) are ignored.
pub fn set_pref(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// `navigator.language` (window only).
pub fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

/// Parses JSON with the browser's `JSON.parse`; `None` if it is not JSON.
pub fn parse_json(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

impl JsonValue for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_null() && !v.is_undefined())
    }
    fn string(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).iter().collect())
    }
    fn entries(&self) -> Option<Vec<(String, Self)>> {
        let obj = self.dyn_ref::<Object>()?;
        Some(
            Object::entries(obj)
                .iter()
                .filter_map(|pair| {
                    let pair = Array::from(&pair);
                    Some((pair.get(0).as_string()?, pair.get(1)))
                })
                .collect(),
        )
    }
}
