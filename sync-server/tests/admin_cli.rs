//! `cartable-server admin create`: the real binary creates an administrator in a data
//! directory, reading the password from stdin; a taken login or a short password fails with a
//! non-zero exit and a message, and creates nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use cartable_shared::roles::Role;
use cartable_sync_server::store::Store;

fn admin_create(dir: &std::path::Path, login: &str, stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cartable-server"))
        .args(["admin", "create", "--data-dir"])
        .arg(dir)
        .args(["--login", login, "--display-name", "Direction"])
        .env_remove("CARTABLE_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cartable-server runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_binary_creates_an_administrator_from_a_password_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let short = admin_create(dir.path(), "direction", "court\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least"));

    let ok = admin_create(dir.path(), "direction", "un long mot de passe\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("administrator direction created"));

    let again = admin_create(dir.path(), "direction", "un autre mot de passe\n");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));

    let store = Store::open(&dir.path().join(cartable_sync_server::DATABASE_FILE)).unwrap();
    let row = store.read_blocking(|dao| dao.user(&"direction".parse().unwrap())).unwrap().unwrap();
    assert_eq!(row.role, Role::Admin);
    assert!(!row.demo);
    let verified = cartable_sync_server::services::password::verify_password(
        "un long mot de passe",
        &row.password_hash,
    );
    assert!(verified, "the password from stdin, without its newline, is the one stored");
    assert_eq!(store.read_blocking(|dao| dao.user_count()).unwrap(), 1);
}
