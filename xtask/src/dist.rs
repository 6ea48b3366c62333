//! Writing `dist/` (docs/architecture.md, "dist/"): content-hashed assets, the templates with
//! their placeholders filled in, the service worker stamped with a build id and a precache list,
//! `.br` / `.gz` siblings and `build.json`.
//!
//! The administration page (`admin.html` and the admin module) is written beside the app but
//! kept out of the precache list and of the build id: students never download it, and a change
//! to it alone does not announce a new version of their app.
//!
//! The publishing module (the staff's publishing views, loaded by the UI only for teachers, staff
//! and admins) is part of the build id (the UI and it must come from the same build) but not of
//! the precache list: students never download it. `index.html` names its files in
//! `<meta name="cartable-publish">` (the boot script first), and the service worker gets them as
//! `STAFF_EXTRA`, which it caches at install on the devices that used a previous version's.
//!
//! Everything is assembled in memory first, then written to `<dist>.tmp`, which replaces `dist`
//! only once it is complete: a failed build leaves the previous `dist/` as it was.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

/// Hex characters of the SHA-256 kept in a hashed file name.
const NAME_HASH_LEN: usize = 10;
/// Hex characters of the SHA-256 kept as the build id.
const BUILD_ID_LEN: usize = 16;
/// Brotli quality (the maximum) and window (4 MiB, more than any asset we write).
const BROTLI_QUALITY: u32 = 11;
const BROTLI_LGWIN: u32 = 22;
/// File extensions that get `.br` and `.gz` siblings.
const COMPRESSED_EXTENSIONS: [&str; 6] = ["html", "js", "css", "wasm", "webmanifest", "json"];

/// Where the inputs of `dist/` are.
#[derive(Debug, Clone)]
pub(crate) struct Sources {
    /// wasm-bindgen output of the `ui` binary: `ui.js`, `ui_bg.wasm` (and maybe `snippets/`).
    pub(crate) ui_bindgen: PathBuf,
    /// wasm-bindgen output of the `engine` binary: `engine.js`, `engine_bg.wasm`.
    pub(crate) engine_bindgen: PathBuf,
    /// wasm-bindgen output of the `admin` binary: `admin.js`, `admin_bg.wasm`.
    pub(crate) admin_bindgen: PathBuf,
    /// wasm-bindgen output of the `publish` binary: `publish.js`, `publish_bg.wasm`.
    pub(crate) publish_bindgen: PathBuf,
    /// `pwa/`: `index.html` and `admin.html` (templates), `style.css`, `early.js` (the early
    /// IndexedDB read) and
    /// `theme.js` (optional: the theme and language applied before the first paint).
    pub(crate) pwa: PathBuf,
    /// `manifest/`: `manifest.webmanifest` (template) and `icons/*.png`.
    pub(crate) manifest: PathBuf,
    /// `service-worker/`: `sw.js` (template).
    pub(crate) service_worker: PathBuf,
}

impl Sources {
    /// The inputs of a build of this repository, with wasm-bindgen output under `bindgen`.
    pub(crate) fn of_repo(root: &Path, bindgen: &Path) -> Self {
        Self {
            ui_bindgen: bindgen.join("ui"),
            engine_bindgen: bindgen.join("engine"),
            admin_bindgen: bindgen.join("admin"),
            publish_bindgen: bindgen.join("publish"),
            pwa: root.join("pwa"),
            manifest: root.join("manifest"),
            service_worker: root.join("service-worker"),
        }
    }
}

/// Sizes of one file of `dist/` (path relative to `dist/`, `/` separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileSizes {
    pub(crate) path: String,
    pub(crate) raw: u64,
    /// Size of the `.gz` sibling; `None` for files served as they are (PNG).
    pub(crate) gzip: Option<u64>,
    /// Size of the `.br` sibling; `None` for files served as they are (PNG).
    pub(crate) brotli: Option<u64>,
}

/// What `write_dist` wrote.
#[derive(Debug, Clone)]
pub(crate) struct Dist {
    pub(crate) build_id: String,
    /// Every file of `dist/` but the compressed siblings and `build.json`, sorted by path.
    pub(crate) files: Vec<FileSizes>,
    /// Paths (relative to `dist/`) of the files of the UI module: wasm, glue, boot script and
    /// the early IndexedDB read.
    pub(crate) ui_module: Vec<String>,
    /// Paths of the files of the engine module: wasm, glue, worker script.
    pub(crate) engine_module: Vec<String>,
    /// Paths of the files of the administration page's module: wasm, glue, boot script.
    pub(crate) admin_module: Vec<String>,
    /// Paths of the files of the publishing module (staff only, not precached): wasm, glue,
    /// boot script and its wasm-bindgen snippets.
    pub(crate) publish_module: Vec<String>,
    /// Paths of the rest of the first paint: `index.html` and the stylesheet.
    pub(crate) first_paint_extra: Vec<String>,
}

impl Dist {
    /// The sizes of the file at `path`, if it is in `dist/`.
    pub(crate) fn file(&self, path: &str) -> Option<&FileSizes> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Builds `dist` from `src`. On success `dist` holds the new build; on failure it is untouched.
pub(crate) fn write_dist(src: &Sources, dist: &Path) -> Result<Dist> {
    let mut files = Assemble::default();

    // Read every input first: a missing one fails before anything is written.
    let ui_js = read(&src.ui_bindgen.join("ui.js"))?;
    let ui_wasm = read(&src.ui_bindgen.join("ui_bg.wasm"))?;
    let engine_js = read(&src.engine_bindgen.join("engine.js"))?;
    let engine_wasm = read(&src.engine_bindgen.join("engine_bg.wasm"))?;
    let admin_js = read(&src.admin_bindgen.join("admin.js"))?;
    let admin_wasm = read(&src.admin_bindgen.join("admin_bg.wasm"))?;
    let publish_js = read(&src.publish_bindgen.join("publish.js"))?;
    let publish_wasm = read(&src.publish_bindgen.join("publish_bg.wasm"))?;
    let index_template = read_text(&src.pwa.join("index.html"))?;
    let admin_template = read_text(&src.pwa.join("admin.html"))?;
    let css = read(&src.pwa.join("style.css"))?;
    let theme_path = src.pwa.join("theme.js");
    let theme_js = if theme_path.is_file() { Some(read(&theme_path)?) } else { None };
    let early = read_text(&src.pwa.join("early.js"))?;
    let manifest_template = read_text(&src.manifest.join("manifest.webmanifest"))?;
    let sw_template = read_text(&src.service_worker.join("sw.js"))?;
    let icons = read_icons(&src.manifest.join("icons"))?;

    let mut vars = BTreeMap::new();
    let ui_js = files.hashed_asset("ui", "js", ui_js);
    let ui_wasm = files.hashed_asset("ui_bg", "wasm", ui_wasm);
    let engine_js = files.hashed_asset("engine", "js", engine_js);
    let engine_wasm = files.hashed_asset("engine_bg", "wasm", engine_wasm);
    let boot = files.hashed_asset("boot", "js", loader_script(&ui_js, &ui_wasm).into_bytes());
    // A classic script at the top of `<head>`: it starts reading IndexedDB while the rest of
    // the page and the UI module load.
    let early = files.hashed_asset("early", "js", early.into_bytes());
    let worker = files.hashed_asset(
        "engine-worker",
        "js",
        loader_script(&engine_js, &engine_wasm).into_bytes(),
    );
    let app_css = files.hashed_asset("app", "css", css);
    let theme = theme_js.map(|js| files.hashed_asset("theme", "js", js));
    if let Some(theme) = &theme {
        vars.insert("THEME_JS".into(), asset_url(theme));
    }
    for dir in [&src.ui_bindgen, &src.engine_bindgen] {
        files.copy_snippets(&dir.join("snippets"))?;
    }
    // The administration page's files: same naming, but neither precached nor in the build id.
    let mut admin = Assemble::default();
    let admin_js = admin.hashed_asset("admin", "js", admin_js);
    let admin_wasm = admin.hashed_asset("admin_bg", "wasm", admin_wasm);
    let admin_boot =
        admin.hashed_asset("admin-boot", "js", loader_script(&admin_js, &admin_wasm).into_bytes());
    admin.copy_snippets(&src.admin_bindgen.join("snippets"))?;
    // The publishing module's files: in the build id, not precached.
    let mut publish = Assemble::default();
    let publish_js = publish.hashed_asset("publish", "js", publish_js);
    let publish_wasm = publish.hashed_asset("publish_bg", "wasm", publish_wasm);
    let publish_boot = publish.hashed_asset(
        "publish-boot",
        "js",
        module_script(&publish_js, &publish_wasm).into_bytes(),
    );
    publish.copy_snippets(&src.publish_bindgen.join("snippets"))?;
    // wasm-bindgen writes every snippet of the crate beside each module: those the UI has are
    // the UI's (same path, same content), already precached.
    publish.files.retain(|path, _| !files.files.contains_key(path));
    let publish_module: Vec<String> = [asset_path(&publish_boot)]
        .into_iter()
        .chain(publish.files.keys().filter(|p| **p != asset_path(&publish_boot)).cloned())
        .collect();
    for (stem, bytes) in icons {
        let key = stem.to_uppercase().replace('-', "_");
        vars.insert(key, asset_url(&files.hashed_asset(&stem, "png", bytes)));
    }
    vars.insert("BOOT_JS".into(), asset_url(&boot));
    vars.insert("EARLY_JS".into(), asset_url(&early));
    // Preloaded by `index.html`, so that their downloads do not wait for the boot script.
    vars.insert("UI_JS".into(), asset_url(&ui_js));
    vars.insert("UI_WASM".into(), asset_url(&ui_wasm));
    vars.insert("ENGINE_WORKER_JS".into(), asset_url(&worker));
    vars.insert("APP_CSS".into(), asset_url(&app_css));
    let publish_urls: Vec<String> = publish_module.iter().map(|p| format!("/{p}")).collect();
    vars.insert("PUBLISH_JS".into(), publish_urls.join(" "));

    let index = fill(
        &index_template,
        &vars,
        &["BOOT_JS", "EARLY_JS", "ENGINE_WORKER_JS", "APP_CSS", "PUBLISH_JS"],
        &src.pwa.join("index.html"),
    )?;
    vars.insert("ADMIN_BOOT_JS".into(), asset_url(&admin_boot));
    let admin_page =
        fill(&admin_template, &vars, &["ADMIN_BOOT_JS", "APP_CSS"], &src.pwa.join("admin.html"))?;
    let manifest = fill(
        &manifest_template,
        &vars,
        &["ICON_192", "ICON_512", "ICON_MASKABLE_512"],
        &src.manifest.join("manifest.webmanifest"),
    )?;

    // The build id covers every asset and every page the service worker precaches, and the
    // service worker's own template: any change to what the app serves yields a new id.
    let mut id_input = String::new();
    for (path, bytes) in files.files.iter().chain(&publish.files) {
        id_input.push_str(&format!("{path} {}\n", sha256_hex(bytes)));
    }
    id_input.push_str(&format!("index.html {}\n", sha256_hex(index.as_bytes())));
    id_input.push_str(&format!("manifest.webmanifest {}\n", sha256_hex(manifest.as_bytes())));
    id_input.push_str(&format!("sw.js {}\n", sha256_hex(sw_template.as_bytes())));
    let build_id = sha256_hex(id_input.as_bytes())[..BUILD_ID_LEN].to_string();

    let precache = precache_list(files.files.keys());
    let sw_vars = BTreeMap::from([
        ("BUILD_ID".to_string(), build_id.clone()),
        ("PRECACHE".to_string(), serde_json::to_string(&precache)?),
        ("STAFF_EXTRA".to_string(), serde_json::to_string(&publish_urls)?),
    ]);
    let sw = fill(
        &sw_template,
        &sw_vars,
        &["BUILD_ID", "PRECACHE", "STAFF_EXTRA"],
        &src.service_worker.join("sw.js"),
    )?;

    files.insert("index.html".into(), index.into_bytes());
    files.insert("manifest.webmanifest".into(), manifest.into_bytes());
    files.insert("sw.js".into(), sw.into_bytes());
    files.insert("admin.html".into(), admin_page.into_bytes());
    for (path, bytes) in admin.files.into_iter().chain(publish.files) {
        files.insert(path, bytes);
    }

    let tmp = sibling(dist, "tmp");
    if tmp.exists() {
        fs::remove_dir_all(&tmp).with_context(|| format!("removing {}", tmp.display()))?;
    }
    let written = write_all(&tmp, &files.files).and_then(|sizes| {
        let build_json = build_json(&build_id, &sizes);
        write_file(&tmp.join("build.json"), build_json.as_bytes())?;
        write_compressed(&tmp.join("build.json"), build_json.as_bytes())?;
        Ok(sizes)
    });
    let sizes = match written {
        Ok(sizes) => sizes,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    replace_dir(&tmp, dist)?;

    Ok(Dist {
        build_id,
        files: sizes,
        ui_module: vec![
            asset_path(&ui_wasm),
            asset_path(&ui_js),
            asset_path(&boot),
            asset_path(&early),
        ],
        engine_module: vec![asset_path(&engine_wasm), asset_path(&engine_js), asset_path(&worker)],
        admin_module: vec![
            asset_path(&admin_wasm),
            asset_path(&admin_js),
            asset_path(&admin_boot),
            "admin.html".into(),
        ],
        publish_module,
        first_paint_extra: ["index.html".into(), asset_path(&app_css)]
            .into_iter()
            .chain(theme.as_deref().map(asset_path))
            .collect(),
    })
}

/// The output files, by path relative to `dist/`.
#[derive(Debug, Default)]
struct Assemble {
    files: BTreeMap<String, Vec<u8>>,
}

impl Assemble {
    /// Adds `assets/<stem>-<hash>.<ext>` and returns its file name.
    fn hashed_asset(&mut self, stem: &str, ext: &str, bytes: Vec<u8>) -> String {
        let name = format!("{stem}-{}.{ext}", &sha256_hex(&bytes)[..NAME_HASH_LEN]);
        self.insert(asset_path(&name), bytes);
        name
    }

    fn insert(&mut self, path: String, bytes: Vec<u8>) {
        self.files.insert(path, bytes);
    }

    /// wasm-bindgen writes the JS snippets of `#[wasm_bindgen(module/inline_js)]` under
    /// `snippets/<crate>-<hash>/`, imported by relative path from the glue: they keep their path
    /// (already unique per crate build) under `assets/`.
    fn copy_snippets(&mut self, dir: &Path) -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir.parent().unwrap_or(dir))?;
                    let rel = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>();
                    self.insert(format!("assets/{}", rel.join("/")), read(&path)?);
                }
            }
        }
        Ok(())
    }
}

/// The module that the UI imports (`import()`) to use the publishing module: it loads the glue
/// and the wasm, then re-exports `mount` and `unmount`.
fn module_script(glue: &str, wasm: &str) -> String {
    format!(
        "import init, {{ mount, unmount }} from \"./{glue}\";\nawait init({{ module_or_path: \"{}\" }});\nexport {{ mount, unmount }};\n",
        asset_url(wasm)
    )
}

/// The module script that loads a wasm-bindgen `--target web` glue and starts its module.
fn loader_script(glue: &str, wasm: &str) -> String {
    format!(
        "import init from \"./{glue}\";\ninit({{ module_or_path: \"{}\" }});\n",
        asset_url(wasm)
    )
}

fn asset_path(name: &str) -> String {
    format!("assets/{name}")
}

fn asset_url(name: &str) -> String {
    format!("/assets/{name}")
}

/// What the service worker precaches: the shell pages and every asset, as absolute URLs.
fn precache_list<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut list: Vec<String> =
        ["/", "/index.html", "/manifest.webmanifest"].iter().map(|s| s.to_string()).collect();
    list.extend(paths.filter(|p| p.starts_with("assets/")).map(|p| format!("/{p}")));
    list
}

/// Replaces each `{{KEY}}` of `template` by `vars[KEY]`. Fails if a `required` placeholder is
/// absent from the template, or if a `{{UPPER_CASE}}` placeholder is left without a value.
fn fill(
    template: &str,
    vars: &BTreeMap<String, String>,
    required: &[&str],
    origin: &Path,
) -> Result<String> {
    let absent: Vec<String> = required
        .iter()
        .filter(|k| !template.contains(&format!("{{{{{k}}}}}")))
        .map(|k| format!("{{{{{k}}}}}"))
        .collect();
    ensure!(
        absent.is_empty(),
        "the template {} lacks the placeholder(s) {} that the build must fill in",
        origin.display(),
        absent.join(", ")
    );
    let mut out = template.to_string();
    for (key, value) in vars {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    let left = placeholders(&out);
    if !left.is_empty() {
        bail!(
            "the template {} has placeholder(s) the build has no value for: {} (known: {})",
            origin.display(),
            left.join(", "),
            vars.keys().map(|k| format!("{{{{{k}}}}}")).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(out)
}

/// The `{{UPPER_CASE_1}}` placeholders found in `text`, in order, without duplicates.
fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with("}}") {
            let p = format!("{{{{{}}}}}", &after[..name_len]);
            if !found.contains(&p) {
                found.push(p);
            }
        }
        rest = after;
    }
    found
}

/// `icons/*.png` by file stem (`icon-192`), sorted.
fn read_icons(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let entries = fs::read_dir(dir).with_context(|| {
        format!(
            "the icon folder {} is missing (it must hold the manifest's PNG icons)",
            dir.display()
        )
    })?;
    let mut icons = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "png") {
            let stem =
                path.file_stem().context("icon without a name")?.to_string_lossy().into_owned();
            icons.push((stem, read(&path)?));
        }
    }
    icons.sort();
    Ok(icons)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read the build input {}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path)
        .with_context(|| format!("the template {} is missing or unreadable", path.display()))?;
    String::from_utf8(bytes)
        .with_context(|| format!("the template {} is not UTF-8", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn is_compressed_kind(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSED_EXTENSIONS.contains(&e))
}

/// Writes every file under `root` with its compressed siblings (compression runs on scoped
/// threads, one per file, joined before returning) and returns their sizes sorted by path.
fn write_all(root: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<FileSizes>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|(path, bytes)| {
                scope.spawn(move || -> Result<FileSizes> {
                    let full = root.join(path);
                    write_file(&full, bytes)?;
                    let (gzip, brotli) = if is_compressed_kind(path) {
                        let (g, b) = write_compressed(&full, bytes)?;
                        (Some(g), Some(b))
                    } else {
                        (None, None)
                    };
                    Ok(FileSizes { path: path.clone(), raw: bytes.len() as u64, gzip, brotli })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| bail!("a compression thread panicked")))
            .collect()
    })
}

/// Writes `<path>.gz` and `<path>.br`; returns their sizes.
fn write_compressed(path: &Path, bytes: &[u8]) -> Result<(u64, u64)> {
    let gz = gzip(bytes)?;
    let br = brotli(bytes)?;
    write_file(&append_ext(path, "gz"), &gz)?;
    write_file(&append_ext(path, "br"), &br)?;
    Ok((gz.len() as u64, br.len() as u64))
}

pub(crate) fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

pub(crate) fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_LGWIN);
        w.write_all(bytes)?;
        w.flush()?;
    }
    Ok(out)
}

fn append_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// `<dir>.<suffix>` beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    append_ext(dir, suffix)
}

/// Puts the finished `tmp` in place of `dist` (two renames on one filesystem).
fn replace_dir(tmp: &Path, dist: &Path) -> Result<()> {
    let old = sibling(dist, "old");
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    if dist.exists() {
        fs::rename(dist, &old)
            .with_context(|| format!("moving the previous {} aside", dist.display()))?;
    }
    fs::rename(tmp, dist)
        .with_context(|| format!("moving {} to {}", tmp.display(), dist.display()))?;
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    Ok(())
}

fn build_json(build_id: &str, sizes: &[FileSizes]) -> String {
    let assets: Vec<serde_json::Value> = sizes
        .iter()
        .map(|f| {
            serde_json::json!({ "path": f.path, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({
        "build_id": build_id,
        "assets": assets,
    }))
    .expect("a JSON value always serializes");
    s.push('\n');
    s
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const INDEX: &str = r#"<!doctype html><html lang="fr"><head>
<link rel="stylesheet" href="{{APP_CSS}}">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="{{ICON_192}}">
<link rel="apple-touch-icon" href="{{APPLE_TOUCH_ICON}}">
<meta name="cartable-engine" content="{{ENGINE_WORKER_JS}}">
<meta name="cartable-publish" content="{{PUBLISH_JS}}">
<script src="{{EARLY_JS}}"></script><script type="module" src="{{BOOT_JS}}"></script></head><body></body></html>
"#;
    const MANIFEST: &str = r#"{"name":"Cartable","icons":[
{"src":"{{ICON_192}}","sizes":"192x192"},{"src":"{{ICON_512}}","sizes":"512x512"},
{"src":"{{ICON_MASKABLE_512}}","sizes":"512x512","purpose":"maskable"},
{"src":"{{APPLE_TOUCH_ICON}}","sizes":"180x180"}]}"#;
    const ADMIN: &str = r#"<!doctype html><html lang="fr"><head>
<link rel="stylesheet" href="{{APP_CSS}}">
<script type="module" src="{{ADMIN_BOOT_JS}}"></script></head><body></body></html>
"#;
    const SW: &str = "const BUILD_ID = \"{{BUILD_ID}}\";\nconst PRECACHE = {{PRECACHE}};\nconst STAFF_EXTRA = {{STAFF_EXTRA}};\n";

    /// A repository-like fixture: wasm-bindgen output, templates and icons.
    struct Fixture {
        dir: tempfile::TempDir,
    }

    impl Fixture {
        fn new() -> Self {
            let f = Self { dir: tempfile::tempdir().unwrap() };
            f.put("bindgen/ui/ui.js", b"export default function init() {} // ui glue");
            f.put("bindgen/ui/ui_bg.wasm", b"\0asm ui module");
            f.put("bindgen/engine/engine.js", b"export default function init() {} // engine glue");
            f.put("bindgen/engine/engine_bg.wasm", b"\0asm engine module");
            f.put("bindgen/admin/admin.js", b"export default function init() {} // admin glue");
            f.put("bindgen/admin/admin_bg.wasm", b"\0asm admin module");
            f.put(
                "bindgen/publish/publish.js",
                b"export default function init() {} // publish glue",
            );
            f.put("bindgen/publish/publish_bg.wasm", b"\0asm publish module");
            f.put("pwa/admin.html", ADMIN.as_bytes());
            f.put("pwa/index.html", INDEX.as_bytes());
            f.put("pwa/style.css", b"body { margin: 0 }");
            f.put("pwa/early.js", b"globalThis.cartableEarlySnapshot = null;\n");
            f.put("manifest/manifest.webmanifest", MANIFEST.as_bytes());
            for icon in ["icon-192", "icon-512", "icon-maskable-512", "apple-touch-icon"] {
                f.put(&format!("manifest/icons/{icon}.png"), format!("PNG {icon}").as_bytes());
            }
            f.put("service-worker/sw.js", SW.as_bytes());
            f
        }

        fn put(&self, rel: &str, bytes: &[u8]) {
            write_file(&self.dir.path().join(rel), bytes).unwrap();
        }

        fn sources(&self) -> Sources {
            Sources::of_repo(self.dir.path(), &self.dir.path().join("bindgen"))
        }

        fn dist(&self) -> PathBuf {
            self.dir.path().join("dist")
        }

        fn build(&self) -> Result<Dist> {
            write_dist(&self.sources(), &self.dist())
        }

        fn text(&self, rel: &str) -> String {
            fs::read_to_string(self.dist().join(rel)).unwrap()
        }

        fn assets(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(self.dist().join("assets"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }

        /// The one asset named `<stem>-<10 hex>.<ext>`.
        fn asset(&self, stem: &str, ext: &str) -> String {
            let found: Vec<String> = self
                .assets()
                .into_iter()
                .filter(|n| {
                    n.strip_prefix(&format!("{stem}-"))
                        .and_then(|r| r.strip_suffix(&format!(".{ext}")))
                        .is_some_and(|h| h.len() == 10 && h.chars().all(|c| c.is_ascii_hexdigit()))
                })
                .collect();
            assert_eq!(found.len(), 1, "one {stem}-<hash>.{ext} expected, found {found:?}");
            found[0].clone()
        }
    }

    #[test]
    fn asset_names_carry_the_first_ten_hex_of_their_sha256() {
        let f = Fixture::new();
        f.build().unwrap();
        let expected = format!("ui_bg-{}.wasm", &sha256_hex(b"\0asm ui module")[..10]);
        assert_eq!(f.asset("ui_bg", "wasm"), expected);
        let css = f.asset("app", "css");
        assert_eq!(css, format!("app-{}.css", &sha256_hex(b"body { margin: 0 }")[..10]));
        for (stem, ext) in [
            ("ui", "js"),
            ("engine", "js"),
            ("engine_bg", "wasm"),
            ("boot", "js"),
            ("early", "js"),
            ("engine-worker", "js"),
            ("icon-192", "png"),
            ("icon-512", "png"),
            ("icon-maskable-512", "png"),
            ("apple-touch-icon", "png"),
        ] {
            f.asset(stem, ext);
        }
    }

    #[test]
    fn boot_and_worker_scripts_load_their_hashed_module() {
        let f = Fixture::new();
        f.build().unwrap();
        let boot = f.text(&format!("assets/{}", f.asset("boot", "js")));
        assert_eq!(
            boot,
            format!(
                "import init from \"./{}\";\ninit({{ module_or_path: \"/assets/{}\" }});\n",
                f.asset("ui", "js"),
                f.asset("ui_bg", "wasm")
            )
        );
        let worker = f.text(&format!("assets/{}", f.asset("engine-worker", "js")));
        assert!(worker.contains(&format!("import init from \"./{}\"", f.asset("engine", "js"))));
        assert!(worker.contains(&format!("\"/assets/{}\"", f.asset("engine_bg", "wasm"))));
    }

    #[test]
    fn templates_get_absolute_hashed_urls() {
        let f = Fixture::new();
        f.build().unwrap();
        let index = f.text("index.html");
        assert!(index.contains(&format!("src=\"/assets/{}\"", f.asset("boot", "js"))));
        assert!(index.contains(&format!("href=\"/assets/{}\"", f.asset("app", "css"))));
        assert!(index.contains(&format!("content=\"/assets/{}\"", f.asset("engine-worker", "js"))));
        assert!(
            index.contains(&format!("href=\"/assets/{}\"", f.asset("apple-touch-icon", "png")))
        );
        assert!(!index.contains("{{"), "{index}");
        let manifest: serde_json::Value =
            serde_json::from_str(&f.text("manifest.webmanifest")).unwrap();
        let srcs: Vec<&str> = manifest["icons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["src"].as_str().unwrap())
            .collect();
        assert_eq!(
            srcs,
            ["icon-192", "icon-512", "icon-maskable-512", "apple-touch-icon"]
                .map(|s| format!("/assets/{}", f.asset(s, "png")))
        );
    }

    #[test]
    fn service_worker_gets_the_build_id_and_every_asset_to_precache() {
        let f = Fixture::new();
        let dist = f.build().unwrap();
        let sw = f.text("sw.js");
        assert!(sw.starts_with(&format!("const BUILD_ID = \"{}\";", dist.build_id)), "{sw}");
        assert_eq!(dist.build_id.len(), 16);
        let list = sw.split_once("const PRECACHE = ").unwrap().1.lines().next().unwrap();
        let list: Vec<String> = serde_json::from_str(list.trim_end_matches(';')).unwrap();
        let mut expected: Vec<String> =
            vec!["/".into(), "/index.html".into(), "/manifest.webmanifest".into()];
        expected.extend(
            f.assets()
                .iter()
                .filter(|n| !n.ends_with(".br") && !n.ends_with(".gz"))
                .filter(|n| !n.starts_with("admin") && !n.starts_with("publish"))
                .map(|n| format!("/assets/{n}")),
        );
        assert_eq!(list, expected);
        assert_eq!(list.len(), 3 + 12);
        assert!(!sw.contains("admin"), "the administration page is not precached: {sw}");
        assert!(!list.iter().any(|u| u.contains("publish")), "students never download it: {sw}");
    }

    #[test]
    fn the_publishing_module_is_named_in_the_page_and_the_build_id_but_not_precached() {
        let f = Fixture::new();
        let first = f.build().unwrap();
        let boot = f.asset("publish-boot", "js");
        let (glue, wasm) = (f.asset("publish", "js"), f.asset("publish_bg", "wasm"));
        let urls = [&boot, &glue, &wasm].map(|n| format!("/assets/{n}"));
        assert_eq!(first.publish_module, urls.clone().map(|u| u[1..].to_string()));
        assert!(first.publish_module.iter().all(|p| first.file(p).is_some()));
        let script = f.text(&format!("assets/{boot}"));
        assert_eq!(
            script,
            format!(
                "import init, {{ mount, unmount }} from \"./{glue}\";\nawait init({{ module_or_path: \"/assets/{wasm}\" }});\nexport {{ mount, unmount }};\n"
            )
        );
        let index = f.text("index.html");
        assert!(
            index.contains(&format!(
                "<meta name=\"cartable-publish\" content=\"{}\">",
                urls.join(" ")
            )),
            "{index}"
        );
        assert!(!index.contains("modulepreload\" href=\"/assets/publish"), "{index}");
        let sw = f.text("sw.js");
        let extra = sw.split_once("const STAFF_EXTRA = ").unwrap().1.lines().next().unwrap();
        let extra: Vec<String> = serde_json::from_str(extra.trim_end_matches(';')).unwrap();
        assert_eq!(extra, urls);

        f.put("bindgen/publish/publish_bg.wasm", b"\0asm publish module, version 2");
        let second = f.build().unwrap();
        assert_ne!(first.build_id, second.build_id, "the UI and the module it loads go together");
        assert_ne!(f.asset("publish-boot", "js"), boot);
        assert!(!f.dist().join("assets").join(&wasm).exists());
    }

    #[test]
    fn the_admin_page_loads_its_own_module_and_changes_to_it_alone_keep_the_build_id() {
        let f = Fixture::new();
        let first = f.build().unwrap();
        let page = f.text("admin.html");
        let boot = f.asset("admin-boot", "js");
        assert!(page.contains(&format!("src=\"/assets/{boot}\"")), "{page}");
        assert!(page.contains(&format!("href=\"/assets/{}\"", f.asset("app", "css"))));
        let script = f.text(&format!("assets/{boot}"));
        assert!(script.contains(&format!("import init from \"./{}\"", f.asset("admin", "js"))));
        assert!(script.contains(&format!("\"/assets/{}\"", f.asset("admin_bg", "wasm"))));
        assert_eq!(first.admin_module.len(), 4);
        assert!(first.admin_module.iter().all(|p| first.file(p).is_some()));
        assert!(!f.text("index.html").contains("admin"), "students never load the admin module");

        f.put("bindgen/admin/admin_bg.wasm", b"\0asm admin module, version 2");
        let second = f.build().unwrap();
        assert_eq!(first.build_id, second.build_id, "students get no update for an admin change");
        assert_ne!(f.asset("admin-boot", "js"), boot);
    }

    #[test]
    fn any_change_yields_a_new_build_id_and_new_names_only_where_content_changed() {
        let f = Fixture::new();
        let first = f.build().unwrap();
        let ui_js = f.asset("ui", "js");
        let boot = f.asset("boot", "js");
        f.put("bindgen/ui/ui_bg.wasm", b"\0asm ui module, version 2");
        let second = f.build().unwrap();
        assert_ne!(first.build_id, second.build_id);
        assert_eq!(f.asset("ui", "js"), ui_js, "the glue did not change");
        assert_ne!(f.asset("boot", "js"), boot, "the boot script names the new wasm");
        f.put("pwa/index.html", format!("{INDEX}<!-- v3 -->").as_bytes());
        let third = f.build().unwrap();
        assert_ne!(second.build_id, third.build_id, "index.html is precached: it changes the id");
    }

    #[test]
    fn text_and_wasm_get_brotli_and_gzip_siblings_but_png_does_not() {
        let f = Fixture::new();
        f.build().unwrap();
        let d = f.dist();
        let mut checked = 0;
        for rel in ["index.html", "admin.html", "sw.js", "manifest.webmanifest", "build.json"]
            .map(String::from)
            .into_iter()
            .chain(
                f.assets()
                    .into_iter()
                    .filter(|n| !n.ends_with(".br") && !n.ends_with(".gz"))
                    .map(|n| format!("assets/{n}")),
            )
        {
            let raw = fs::read(d.join(&rel)).unwrap();
            let br = d.join(format!("{rel}.br"));
            let gz = d.join(format!("{rel}.gz"));
            if rel.ends_with(".png") {
                assert!(!br.exists() && !gz.exists(), "{rel} must not be compressed");
                continue;
            }
            let mut unbr = Vec::new();
            brotli::Decompressor::new(fs::File::open(&br).unwrap(), 4096)
                .read_to_end(&mut unbr)
                .unwrap();
            assert_eq!(unbr, raw, "{rel}.br");
            let mut ungz = Vec::new();
            flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap())
                .read_to_end(&mut ungz)
                .unwrap();
            assert_eq!(ungz, raw, "{rel}.gz");
            checked += 1;
        }
        assert_eq!(checked, 5 + 14);
    }

    #[test]
    fn build_json_lists_every_file_with_its_sizes() {
        let f = Fixture::new();
        let dist = f.build().unwrap();
        let json: serde_json::Value = serde_json::from_str(&f.text("build.json")).unwrap();
        assert_eq!(json["build_id"], dist.build_id.as_str());
        let assets = json["assets"].as_array().unwrap();
        assert_eq!(assets.len(), 4 + 18);
        let wasm = format!("assets/{}", f.asset("ui_bg", "wasm"));
        let entry = assets.iter().find(|a| a["path"] == wasm.as_str()).unwrap();
        assert_eq!(entry["raw"], 14);
        let br = fs::metadata(f.dist().join(format!("{wasm}.br"))).unwrap().len();
        assert_eq!(entry["brotli"], br);
        let png = format!("assets/{}", f.asset("icon-192", "png"));
        let entry = assets.iter().find(|a| a["path"] == png.as_str()).unwrap();
        assert!(entry["gzip"].is_null() && entry["brotli"].is_null());
        assert_eq!(dist.ui_module.len(), 4);
        assert!(dist.ui_module.iter().all(|p| dist.file(p).is_some()));
    }

    #[test]
    fn a_placeholder_without_a_value_fails_the_build_and_keeps_the_previous_dist() {
        let f = Fixture::new();
        f.build().unwrap();
        let before = f.text("index.html");
        f.put("pwa/index.html", format!("{INDEX}<link href=\"{{{{ICON_1024}}}}\">").as_bytes());
        let err = format!("{:#}", f.build().unwrap_err());
        assert!(err.contains("{{ICON_1024}}"), "{err}");
        assert!(err.contains("index.html"), "{err}");
        assert_eq!(f.text("index.html"), before);
        assert!(!f.dir.path().join("dist.tmp").exists());
    }

    #[test]
    fn a_template_without_a_required_placeholder_fails() {
        let f = Fixture::new();
        f.put("service-worker/sw.js", b"const PRECACHE = {{PRECACHE}};");
        let err = format!("{:#}", f.build().unwrap_err());
        assert!(err.contains("sw.js") && err.contains("{{BUILD_ID}}"), "{err}");
    }

    #[test]
    fn a_missing_template_is_named() {
        let f = Fixture::new();
        fs::remove_file(f.dir.path().join("manifest/manifest.webmanifest")).unwrap();
        let err = format!("{:#}", f.build().unwrap_err());
        assert!(err.contains("manifest.webmanifest") && err.contains("missing"), "{err}");
        assert!(!f.dist().exists());
    }

    #[test]
    fn a_rebuild_replaces_the_whole_dist() {
        let f = Fixture::new();
        f.build().unwrap();
        let old_wasm = f.asset("ui_bg", "wasm");
        f.put("dist/stale.txt", b"left over");
        f.put("bindgen/ui/ui_bg.wasm", b"\0asm ui module, version 2");
        f.build().unwrap();
        assert!(!f.dist().join("stale.txt").exists());
        assert!(!f.dist().join("assets").join(old_wasm).exists());
        assert!(!f.dir.path().join("dist.old").exists());
    }

    #[test]
    fn wasm_bindgen_snippets_keep_their_relative_path() {
        let f = Fixture::new();
        f.put("bindgen/ui/snippets/cartable-pwa-0123/inline0.js", b"export function x() {}");
        f.put("bindgen/publish/snippets/cartable-pwa-0123/inline0.js", b"export function x() {}");
        f.put("bindgen/publish/snippets/cartable-pwa-0123/inline1.js", b"export function y() {}");
        let dist = f.build().unwrap();
        assert!(f.dist().join("assets/snippets/cartable-pwa-0123/inline0.js").exists());
        let sw = f.text("sw.js");
        let (precache, extra) = sw.split_once("const STAFF_EXTRA").unwrap();
        assert!(precache.contains("\"/assets/snippets/cartable-pwa-0123/inline0.js\""));
        assert!(!precache.contains("inline1.js"), "the publishing module's own snippet: {sw}");
        assert!(extra.contains("\"/assets/snippets/cartable-pwa-0123/inline1.js\""));
        assert!(!extra.contains("inline0.js"), "the UI's snippet stays the UI's: {sw}");
        assert_eq!(dist.publish_module.len(), 4);
    }

    #[test]
    fn placeholders_are_found_only_in_upper_case_braces() {
        assert_eq!(placeholders("a {{X_1}} b {{x}} {{ Y }} {{X_1}} {{Z}}"), ["{{X_1}}", "{{Z}}"]);
        assert!(placeholders("function f() {{ return 1 }}").is_empty());
    }
}
