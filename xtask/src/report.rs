//! The size table printed after a build.

use crate::dist::Dist;

/// DESIGN §10: first paint download (UI module + glue + HTML + CSS, brotli) ≤ 100 KB.
const FIRST_PAINT_TARGET: u64 = 100 * 1000;

/// Sums (raw, gzip, brotli) of `paths`; a file without compressed siblings counts raw.
fn sum(dist: &Dist, paths: &[String]) -> (u64, u64, u64) {
    paths.iter().filter_map(|p| dist.file(p)).fold((0, 0, 0), |(r, g, b), f| {
        (r + f.raw, g + f.gzip.unwrap_or(f.raw), b + f.brotli.unwrap_or(f.raw))
    })
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// The table of module sizes, the first paint against its target and the dist totals.
pub(crate) fn size_table(dist: &Dist) -> String {
    let mut out = String::new();
    let row = |out: &mut String, name: &str, (r, g, b): (u64, u64, u64)| {
        out.push_str(&format!("  {name:<38} {:>12} {:>12} {:>12}\n", kb(r), kb(g), kb(b)));
    };
    out.push_str(&format!(
        "  {:<38} {:>12} {:>12} {:>12}\n",
        "(1 KB = 1000 bytes)", "raw", "gzip", "brotli"
    ));
    for f in &dist.files {
        if [&dist.ui_module, &dist.engine_module, &dist.admin_module, &dist.publish_module]
            .iter()
            .any(|m| m.contains(&f.path))
        {
            row(
                &mut out,
                &format!("  {}", short(&f.path)),
                (f.raw, f.gzip.unwrap_or(f.raw), f.brotli.unwrap_or(f.raw)),
            );
        }
    }
    let ui = sum(dist, &dist.ui_module);
    let engine = sum(dist, &dist.engine_module);
    let admin = sum(dist, &dist.admin_module);
    let publish = sum(dist, &dist.publish_module);
    let mut first_paint_files = dist.ui_module.clone();
    first_paint_files.extend(dist.first_paint_extra.iter().cloned());
    let first_paint = sum(dist, &first_paint_files);
    let all: Vec<String> = dist.files.iter().map(|f| f.path.clone()).collect();
    let total = sum(dist, &all);
    row(&mut out, "UI module (wasm + glue + boot)", ui);
    row(&mut out, "engine module (wasm + glue + worker)", engine);
    row(&mut out, "publishing module (staff only)", publish);
    row(&mut out, "admin page (wasm + glue + boot + html)", admin);
    row(&mut out, "first paint (UI + index.html + css)", first_paint);
    row(&mut out, &format!("dist total ({} files)", all.len()), total);
    let verdict = if first_paint.2 <= FIRST_PAINT_TARGET { "within" } else { "OVER" };
    out.push_str(&format!(
        "  first paint, brotli: {} — {verdict} the {} target\n",
        kb(first_paint.2),
        kb(FIRST_PAINT_TARGET)
    ));
    out.push_str(&format!(
        "  staff extra (publishing module, loaded after the first paint), brotli: {}\n",
        kb(publish.2)
    ));
    out.push_str(&format!("  dist total: {} raw, {} gzip\n", kb(total.0), kb(total.1)));
    out
}

fn short(path: &str) -> &str {
    path.strip_prefix("assets/").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::FileSizes;

    fn file(path: &str, raw: u64, compressed: Option<(u64, u64)>) -> FileSizes {
        FileSizes {
            path: path.into(),
            raw,
            gzip: compressed.map(|c| c.0),
            brotli: compressed.map(|c| c.1),
        }
    }

    #[test]
    fn first_paint_adds_the_ui_module_html_and_css_and_is_judged_against_100_kb_without_staff_files()
     {
        let dist = Dist {
            build_id: "x".into(),
            files: vec![
                file("assets/ui_bg-1.wasm", 200_000, Some((70_000, 60_000))),
                file("assets/ui-1.js", 20_000, Some((5_000, 4_000))),
                file("assets/boot-1.js", 100, Some((90, 80))),
                file("assets/engine_bg-1.wasm", 900_000, Some((400_000, 300_000))),
                file("index.html", 2_000, Some((900, 800))),
                file("assets/app-1.css", 10_000, Some((3_000, 2_500))),
                file("assets/icon-192-1.png", 5_000, None),
                file("assets/admin_bg-1.wasm", 300_000, Some((100_000, 80_000))),
                file("assets/publish-boot-1.js", 200, Some((150, 120))),
                file("assets/publish_bg-1.wasm", 100_000, Some((40_000, 30_000))),
            ],
            ui_module: vec![
                "assets/ui_bg-1.wasm".into(),
                "assets/ui-1.js".into(),
                "assets/boot-1.js".into(),
            ],
            engine_module: vec!["assets/engine_bg-1.wasm".into()],
            admin_module: vec!["assets/admin_bg-1.wasm".into()],
            publish_module: vec![
                "assets/publish-boot-1.js".into(),
                "assets/publish_bg-1.wasm".into(),
            ],
            first_paint_extra: vec!["index.html".into(), "assets/app-1.css".into()],
        };
        let table = size_table(&dist);
        assert!(
            table.contains("first paint, brotli: 67.4 KB — within the 100.0 KB target"),
            "{table}"
        );
        assert!(table.contains("dist total: 1537.3 KB raw, 624.1 KB gzip"), "{table}");
        let publish = table.lines().find(|l| l.contains("publishing module")).unwrap();
        assert!(publish.ends_with("100.2 KB      40.1 KB      30.1 KB"), "{table}");
        assert!(
            table.contains(
                "staff extra (publishing module, loaded after the first paint), brotli: 30.1 KB"
            ),
            "{table}"
        );
        let admin = table.lines().find(|l| l.contains("admin page")).unwrap();
        assert!(admin.ends_with("300.0 KB     100.0 KB      80.0 KB"), "{table}");
    }
}
