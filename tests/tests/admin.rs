//! Administration against the real server: the operator's first administrator on a server
//! without demo accounts, accounts and groups (`/api/admin/...`) with their refusals, and the
//! roster import from CSV (preview, line-by-line errors, all or nothing).

use cartable_shared::admin::GradesReport;
use cartable_shared::admin::{
    AccountList, AdminField, AdminProblem, CreatedAccount, GroupList, GroupSummary, LineError,
    LineProblem, MIN_PASSWORD_LEN, NewAccount, RosterReport,
};
use cartable_shared::api::{ErrorBody, Me};
use cartable_shared::grades::Grades;
use cartable_shared::ids::DocId;
use cartable_shared::roles::Role;
use cartable_tests::{Account, TestServer, demo, http, login_raw};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The demo accounts that are not administrators.
const NOT_ADMINS: [&str; 4] = ["lea.martin", "paul.durand", "parent.martin", "vie.scolaire"];

async fn error_message(resp: reqwest::Response) -> String {
    let body: serde_json::Value = resp.json().await.expect("error body");
    body["message"].as_str().unwrap_or_default().to_owned()
}

async fn create(admin: &Account, body: serde_json::Value) -> reqwest::Response {
    admin.request(Method::POST, "/api/admin/accounts").json(&body).send().await.unwrap()
}

async fn accounts(admin: &Account) -> AccountList {
    let resp = admin.request(Method::GET, "/api/admin/accounts").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn the_operator_creates_the_first_administrator_of_a_server_without_demo() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_configured(dir.path(), |c| c.demo = false).await.unwrap();
    // Nobody can sign in: there is no account at all.
    assert_eq!(login_raw(&server, "admin", demo::ACCOUNTS[4].password).await.status(), 401);
    let now = chrono::Utc::now().timestamp_millis();
    let bootstrap = cartable_sync_server::services::admin::bootstrap_admin;
    // Too short a password is refused, and creates nothing.
    let short = bootstrap(dir.path(), now, "chef", "Chef", "short").await;
    assert!(short.unwrap_err().to_string().contains("at least"));
    // Created while the server runs, on the same database.
    let made = bootstrap(dir.path(), now, " Chef ", "Marie Chef", "un mot de passe sûr").await;
    assert_eq!(made.unwrap().role, Role::Admin);
    let again = bootstrap(dir.path(), now, "chef", "Other", "another password").await;
    assert!(again.unwrap_err().to_string().contains("taken"));
    let chef = Account::login(&server, "chef", "un mot de passe sûr").await.unwrap();
    assert_eq!(chef.me.role, Role::Admin);
    assert_eq!(chef.me.display_name, "Marie Chef");
    // The administrator creates a teacher, who signs in with the given password.
    let resp = create(
        &chef,
        json!({"login": "prof.x", "display_name": "Prof X", "role": "teacher",
               "password": "mot de passe prof", "subjects": ["Physique"]}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: CreatedAccount = resp.json().await.unwrap();
    assert_eq!(created.initial_password, None);
    assert_eq!(created.account.subjects, vec!["Physique".to_string()]);
    Account::login(&server, "prof.x", "mot de passe prof").await.unwrap();
    // It survives a restart, and the password is stored only as an Argon2id hash.
    drop(chef);
    server.stop().await.unwrap();
    let db = database_text(dir.path());
    assert!(db.contains("$argon2id$"));
    assert!(!db.contains("un mot de passe sûr") && !db.contains("mot de passe prof"));
    let server = TestServer::start_configured(dir.path(), |c| c.demo = false).await.unwrap();
    Account::login(&server, "chef", "un mot de passe sûr").await.unwrap();
}

/// The database file and its write-ahead log, as text (to look for clear passwords).
fn database_text(dir: &std::path::Path) -> String {
    let mut all = Vec::new();
    for name in ["cartable.sqlite3", "cartable.sqlite3-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            all.extend(bytes);
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

#[tokio::test]
async fn only_administrators_reach_the_administration_api() {
    let server = TestServer::start().await.unwrap();
    let g = demo::GROUP;
    let calls: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/admin/accounts".into(), None),
        (
            Method::POST,
            "/api/admin/accounts".into(),
            Some(json!({"login": "intrus", "display_name": "I", "role": "admin"})),
        ),
        (Method::GET, "/api/admin/groups".into(), None),
        (Method::POST, "/api/admin/groups".into(), Some(json!({"id": "g9", "name": "G9"}))),
        (Method::PUT, format!("/api/admin/groups/{g}/members/vie.scolaire"), None),
        (Method::DELETE, format!("/api/admin/groups/{g}/members/lea.martin"), None),
        (Method::PUT, "/api/admin/accounts/lea.martin/guardians/parent.martin".into(), None),
        (Method::POST, "/api/admin/import/roster?dry_run=true".into(), None),
    ];
    for login in NOT_ADMINS {
        let who = Account::demo(&server, login).await.unwrap();
        for (method, path, body) in &calls {
            let mut req = who.request(method.clone(), path);
            if let Some(b) = body {
                req = req.json(b);
            } else if path.contains("roster") {
                req = req.body("login,display_name,role\nx,X,student\n");
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{login} {method} {path}");
        }
    }
    for (method, path, _) in &calls {
        let resp = http().request(method.clone(), server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "no session: {method} {path}");
    }
    // Nothing was created by the refused calls.
    let admin = Account::demo(&server, "admin").await.unwrap();
    assert!(!accounts(&admin).await.accounts.iter().any(|a| a.login.as_str() == "intrus"));
    let groups: GroupList =
        admin.request(Method::GET, "/api/admin/groups").send().await.unwrap().json().await.unwrap();
    assert!(!groups.groups.iter().any(|gr| gr.id.as_str() == "g9"));
    let lea = groups.groups.iter().find(|gr| gr.id.as_str() == g).unwrap();
    assert!(lea.members.iter().any(|m| m.as_str() == "lea.martin"));
}

#[tokio::test]
async fn administrators_create_accounts_groups_memberships_and_guardians() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    // A generated initial password, returned once, that works.
    let resp =
        create(&admin, json!({"login": "Nina.Roy", "display_name": "Nina Roy", "role": "student"}))
            .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let nina: CreatedAccount = resp.json().await.unwrap();
    assert_eq!(nina.account.login.as_str(), "nina.roy");
    let password = nina.initial_password.clone().expect("a generated password");
    Account::login(&server, "nina.roy", &password).await.unwrap();
    // Refusals, each with its reason.
    let dup =
        create(&admin, json!({"login": "lea.martin", "display_name": "L", "role": "student"}))
            .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    let body: ErrorBody = dup.json().await.unwrap();
    assert!(body.message.contains("taken"));
    let field = |field, problem| Some(AdminProblem::Field { field, problem });
    let taken = LineProblem::Taken { value: "lea.martin".into() };
    assert_eq!(body.problem, field(AdminField::Login, taken), "what the page words");
    let cases = [
        (
            json!({"login": "a b", "display_name": "A", "role": "student"}),
            "invalid login",
            field(AdminField::Login, LineProblem::Invalid { value: "a b".into() }),
        ),
        (
            json!({"login": "ab", "display_name": " ", "role": "student"}),
            "empty",
            field(AdminField::DisplayName, LineProblem::Missing),
        ),
        (
            json!({"login": "ab", "display_name": "A", "role": "student", "password": "x"}),
            "least",
            Some(AdminProblem::PasswordTooShort { min: MIN_PASSWORD_LEN as u32 }),
        ),
        (
            json!({"login": "ab", "display_name": "A", "role": "student", "subjects": ["M"]}),
            "teacher",
            field(AdminField::Subjects, LineProblem::WrongRole),
        ),
        (
            json!({"login": "ab", "display_name": "A", "role": "admin", "expires_at_ms": i64::MAX}),
            "guest",
            Some(AdminProblem::AdminGuest),
        ),
    ];
    for (body, reason, problem) in cases {
        let resp = create(&admin, body.clone()).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: ErrorBody = resp.json().await.unwrap();
        assert!(answer.message.contains(reason), "{body}");
        assert_eq!(answer.problem, problem, "{body}");
    }
    let bad_role =
        create(&admin, json!({"login": "ab", "display_name": "A", "role": "king"})).await;
    assert_eq!(bad_role.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!accounts(&admin).await.accounts.iter().any(|a| a.login.as_str() == "ab"));

    // A group, a duplicate, a member, a teacher and a guardian.
    let resp = admin
        .request(Method::POST, "/api/admin/groups")
        .json(&json!({"id": "l3-info", "name": "L3 Informatique"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let _: GroupSummary = resp.json().await.unwrap();
    let again = admin
        .request(Method::POST, "/api/admin/groups")
        .json(&json!({"id": "l3-info", "name": "Autre"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: ErrorBody = again.json().await.unwrap();
    assert_eq!(body.problem, Some(AdminProblem::GroupExists { value: "l3-info".into() }));
    for path in [
        "/api/admin/groups/l3-info/members/nina.roy",
        "/api/admin/groups/l3-info/members/paul.durand",
        "/api/admin/accounts/nina.roy/guardians/parent.martin",
    ] {
        let resp = admin.request(Method::PUT, path).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "{path}");
    }
    let wrong = admin
        .request(Method::PUT, "/api/admin/accounts/paul.durand/guardians/parent.martin")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let missing =
        admin.request(Method::PUT, "/api/admin/groups/nope/members/nina.roy").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let groups: GroupList =
        admin.request(Method::GET, "/api/admin/groups").send().await.unwrap().json().await.unwrap();
    let l3 = groups.groups.iter().find(|g| g.id.as_str() == "l3-info").unwrap();
    assert_eq!(l3.members.iter().map(|u| u.as_str()).collect::<Vec<_>>(), vec!["nina.roy"]);
    assert_eq!(l3.teachers.iter().map(|u| u.as_str()).collect::<Vec<_>>(), vec!["paul.durand"]);
    let list = accounts(&admin).await;
    let parent = list.accounts.iter().find(|a| a.login.as_str() == "parent.martin").unwrap();
    assert!(parent.wards.iter().any(|w| w.as_str() == "nina.roy"));
    // The guardian now sees the new group; removing the link takes it away.
    let guardian = Account::demo(&server, "parent.martin").await.unwrap();
    let me: Me =
        guardian.request(Method::GET, "/api/me").send().await.unwrap().json().await.unwrap();
    assert!(me.groups.iter().any(|g| g.as_str() == "l3-info"));
    let resp = admin
        .request(Method::DELETE, "/api/admin/accounts/nina.roy/guardians/parent.martin")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let me: Me =
        guardian.request(Method::GET, "/api/me").send().await.unwrap().json().await.unwrap();
    assert!(!me.groups.iter().any(|g| g.as_str() == "l3-info"));
}

#[tokio::test]
async fn the_accounts_are_listed_by_name_in_french_order() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    for (login, name) in [("emile.zola", "Émile Zola"), ("marc.de", "de Marc")] {
        let resp =
            create(&admin, json!({"login": login, "display_name": name, "role": "student"})).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    let list = accounts(&admin).await;
    let names: Vec<&str> = list.accounts.iter().map(|a| a.display_name.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).expect(name);
    // Byte order would put both new names after every capitalised one.
    assert_eq!(at("Émile Zola") + 1, at("Emma Dubois"), "{names:?}");
    assert!(at("Chloé Richard") < at("de Marc") && at("de Marc") < at("Emma Dubois"), "{names:?}");
    assert!(at("Maël Blanc") < at("Manon Garcia"), "{names:?}");
    assert!(
        list.accounts.windows(2).all(|w| cartable_shared::text::name_order(
            &w[0].display_name,
            &w[1].display_name
        )
        .then_with(|| w[0].login.cmp(&w[1].login))
            != std::cmp::Ordering::Greater),
        "{names:?}"
    );
}

async fn roster(admin: &Account, query: &str, csv: &str) -> (StatusCode, RosterReport) {
    let resp = admin
        .request(Method::POST, &format!("/api/admin/import/roster{query}"))
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

fn error_on(report: &RosterReport, line: u64) -> &LineError {
    report.errors.iter().find(|e| e.line == line).unwrap_or_else(|| panic!("no error on {line}"))
}

/// Good lines (2, 3, 5, 11) and one bad line of every kind.
const MIXED: &str = "login,display_name,role,groups,subjects,wards
ines.garcia,Inès García,student,l2-info-a,,
marc.prof,Marc Prof,teacher,l2-info-a,Physique|Chimie,
bad login,X,student,,,
mme.garcia,Mme García,guardian,,,ines.garcia
jo,Jo,wizard,,,
ines.garcia,Autre Inès,student,,,
lea.martin,Léa bis,student,,,
zoe,Zoé,student,no-such-group,,
\"unbalanced,Un,student,,,
ok.staff,Staff Ok,staff,,,
tom,Tom,student,,Maths,
";

#[tokio::test]
async fn a_roster_with_bad_lines_is_previewed_refused_whole_or_imported_without_them() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let before = accounts(&admin).await.accounts.len();

    // Preview: what would be created, every bad line with its line, column and reason.
    let (status, report) = roster(&admin, "?dry_run=true", MIXED).await;
    assert_eq!(status, StatusCode::OK);
    assert!(report.dry_run && !report.imported);
    let good: Vec<(u64, &str)> =
        report.accounts.iter().map(|a| (a.line, a.login.as_str())).collect();
    assert_eq!(good, vec![(2, "ines.garcia"), (3, "marc.prof"), (5, "mme.garcia")]);
    assert!(report.accounts.iter().all(|a| a.initial_password.is_none()));
    let value = |v: &str| v.to_owned();
    let expect = [
        (4, Some("login"), "invalid login", LineProblem::Invalid { value: value("bad login") }),
        (6, Some("role"), "unknown role", LineProblem::UnknownRole { value: value("wizard") }),
        (
            7,
            Some("login"),
            "duplicate login ines.garcia (first on line 2)",
            LineProblem::Duplicate { value: value("ines.garcia"), first_line: 2 },
        ),
        (8, Some("login"), "taken", LineProblem::Taken { value: value("lea.martin") }),
        (
            9,
            Some("groups"),
            "unknown group no-such-group",
            LineProblem::Unknown { value: value("no-such-group") },
        ),
        (10, None, "expected 6 fields", LineProblem::Unreadable),
    ];
    for (line, column, reason, problem) in expect {
        let e = error_on(&report, line);
        assert_eq!(e.column.as_deref(), column, "line {line}");
        assert!(e.reason.contains(reason), "line {line}: {}", e.reason);
        assert_eq!(e.problem, problem, "line {line}");
    }
    // The unbalanced quote swallows the rest of the file into line 10: lines 11 and 12 are not
    // read as records (and so not imported).
    assert_eq!(report.errors.len(), 6, "{:?}", report.errors);
    assert_eq!(accounts(&admin).await.accounts.len(), before);

    // Without skip_invalid: refused, nothing imported.
    let (status, report) = roster(&admin, "", MIXED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!report.imported && !report.dry_run);
    assert_eq!(accounts(&admin).await.accounts.len(), before);
    assert_eq!(login_raw(&server, "ines.garcia", "x").await.status(), 401);

    // With skip_invalid: the good lines, with passwords shown once, memberships and wards.
    let (status, report) = roster(&admin, "?skip_invalid=true", MIXED).await;
    assert_eq!(status, StatusCode::OK);
    assert!(report.imported);
    assert_eq!(report.errors.len(), 6);
    let list = accounts(&admin).await;
    assert_eq!(list.accounts.len(), before + 3);
    let ines = report.accounts.iter().find(|a| a.login.as_str() == "ines.garcia").unwrap();
    let session = Account::login(&server, "ines.garcia", ines.initial_password.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(session.me.groups.iter().map(|g| g.as_str()).collect::<Vec<_>>(), vec![demo::GROUP]);
    let marc = list.accounts.iter().find(|a| a.login.as_str() == "marc.prof").unwrap();
    assert_eq!(marc.teaches.iter().map(|g| g.as_str()).collect::<Vec<_>>(), vec![demo::GROUP]);
    assert_eq!(marc.subjects, vec!["Chimie".to_string(), "Physique".to_string()]);
    let mme = list.accounts.iter().find(|a| a.login.as_str() == "mme.garcia").unwrap();
    assert_eq!(mme.wards.iter().map(|w| w.as_str()).collect::<Vec<_>>(), vec!["ines.garcia"]);
    // Importing the same file again: every login is now taken, nothing changes.
    let (status, report) = roster(&admin, "?skip_invalid=true", MIXED).await;
    assert_eq!(status, StatusCode::OK);
    assert!(report.accounts.is_empty() && !report.imported);
    assert_eq!(accounts(&admin).await.accounts.len(), before + 3);
}

#[tokio::test]
async fn roster_files_with_semicolons_and_wrong_headers() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    // A French spreadsheet export: `;` between fields, a BOM, a subject list with `|`.
    let csv = "\u{feff}Login;Display_Name;Role;Subjects\nnew.prof;Prof, Nouveau;teacher;A|B\n\
               tut;Tut;guardian;\nw2;W;guardian;\n";
    let (status, report) = roster(&admin, "", csv).await;
    assert_eq!(status, StatusCode::OK, "{report:?}");
    assert_eq!(report.accounts.len(), 3);
    assert_eq!(report.accounts[0].display_name, "Prof, Nouveau");
    // Errors about the whole file are 400s with a clear message, and the problem as data for
    // the page to word.
    for (csv, reason, problem) in [
        (
            "login,name,role\n",
            "unknown column \"name\"",
            serde_json::json!({"kind": "file", "file": "unknown_column", "value": "name",
                "allowed": ["login", "display_name", "role", "groups", "subjects", "wards"]}),
        ),
        (
            "login,display_name\n",
            "\"role\" is missing",
            serde_json::json!({"kind": "file", "file": "column_missing", "value": "role"}),
        ),
        (
            "",
            "empty",
            serde_json::json!({"kind": "file", "file": "empty",
                "required": ["login", "display_name", "role"]}),
        ),
    ] {
        let resp =
            admin.request(Method::POST, "/api/admin/import/roster").body(csv).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{csv:?}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains(reason), "{csv:?}: {body}");
        assert_eq!(body["problem"], problem, "{csv:?}");
    }
    let resp = admin
        .request(Method::POST, "/api/admin/import/roster?dry_run=maybe")
        .body("login,display_name,role\n")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // Bytes that are not UTF-8, a line with too many fields, after a blank line: each reported
    // on its own line, and nothing imported.
    let body =
        b"login,display_name,role\nok1,Ok,student\n\nbad,\xff\xfe,student\nx,X,student,extra\n";
    let resp = admin
        .request(Method::POST, "/api/admin/import/roster")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: RosterReport = resp.json().await.unwrap();
    let lines: Vec<(u64, &str)> =
        report.errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(
        lines,
        vec![
            (4, "the line is not valid UTF-8"),
            (5, "expected 3 fields, found 4 (check the quotes and the separators)")
        ]
    );
    assert!(!accounts(&admin).await.accounts.iter().any(|a| a.login.as_str() == "ok1"));
    // A file over the 2 MiB body limit: 413, nothing imported.
    let mut big = String::from("login,display_name,role\n");
    let mut i = 0;
    while big.len() <= 2 * 1024 * 1024 {
        big.push_str(&format!("big{i},Big {i},student\n"));
        i += 1;
    }
    let resp =
        admin.request(Method::POST, "/api/admin/import/roster").body(big).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!accounts(&admin).await.accounts.iter().any(|a| a.login.as_str() == "big0"));
    // A guardian whose ward is neither a student of the database nor of a valid line.
    let (status, report) =
        roster(&admin, "", "login,display_name,role,wards\np2,P,guardian,paul.durand\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report.errors[0].line, 2);
    assert_eq!(report.errors[0].column.as_deref(), Some("wards"));
}

async fn import_grades(
    who: &Account,
    group: &str,
    query: &str,
    csv: &str,
) -> (StatusCode, serde_json::Value) {
    let resp = who
        .request(Method::POST, &format!("/api/groups/{group}/assessments/import?{query}"))
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

/// Valid lines 2, 3 and 4; one bad line of every kind after them (the unbalanced quote last).
const SCORES: &str = "student,score,comment
lea.martin,15.5,Bien
lucas.petit,abs,
jade.laurent,\"12,5\",\"Correct, sans plus\"
nobody,12,
paul.durand,12,
emma.dubois,21,
gabriel.robert,-2,
chloe.richard,douze,
lea.martin,10,
louis.simon,,
hugo,\"12,5
";

const META: &str =
    "title=Partiel%202&subject=Algorithmique&date=2026-01-15&out_of=20&coefficient=2";

fn imported_titles(g: &Grades) -> Vec<&str> {
    g.assessments.values().filter(|a| a.title == "Partiel 2").map(|a| a.title.as_str()).collect()
}

#[tokio::test]
async fn a_teacher_imports_grades_that_reach_a_connected_student() {
    let server = TestServer::start().await.unwrap();
    let lea = Account::demo(&server, "lea.martin").await.unwrap();
    let mut device = lea.synced(&server).await.unwrap();
    let grades: DocId = "grades:lea.martin".parse().unwrap();
    let before = device.read::<Grades>(&grades).unwrap();
    assert!(imported_titles(&before).is_empty());
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    let g = demo::GROUP;

    // Preview: the valid lines, every bad one with its line, column and reason.
    let (status, body) = import_grades(&paul, g, &format!("{META}&dry_run=true"), SCORES).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: GradesReport = serde_json::from_value(body).unwrap();
    assert!(report.dry_run && !report.imported);
    let good: Vec<(u64, &str, Option<f64>)> =
        report.grades.iter().map(|e| (e.line, e.student.as_str(), e.score)).collect();
    assert_eq!(
        good,
        vec![
            (2, "lea.martin", Some(15.5)),
            (3, "lucas.petit", None),
            (4, "jade.laurent", Some(12.5))
        ]
    );
    let value = |v: &str| v.to_owned();
    let range = |v: &str| LineProblem::OutOfRange { value: value(v), max: value("20") };
    let expect = [
        (
            5,
            Some("student"),
            "unknown student nobody",
            LineProblem::Unknown { value: value("nobody") },
        ),
        (
            6,
            Some("student"),
            "paul.durand is not a student of the group",
            LineProblem::NotAStudent { value: value("paul.durand") },
        ),
        (7, Some("score"), "above the maximum 20", range("21")),
        (8, Some("score"), "negative", range("-2")),
        (9, Some("score"), "not a number", LineProblem::Invalid { value: value("douze") }),
        (
            10,
            Some("student"),
            "duplicate student lea.martin (first on line 2)",
            LineProblem::Duplicate { value: value("lea.martin"), first_line: 2 },
        ),
        (11, Some("score"), "missing", LineProblem::Missing),
        (12, None, "expected 3 fields, found 2", LineProblem::Unreadable),
    ];
    assert_eq!(report.errors.len(), expect.len(), "{:?}", report.errors);
    for ((line, column, reason, problem), e) in expect.iter().zip(&report.errors) {
        assert_eq!((e.line, e.column.as_deref()), (*line, *column));
        assert!(e.reason.contains(reason), "line {line}: {}", e.reason);
        assert_eq!(&e.problem, problem, "line {line}");
    }

    // Refused whole, then imported without the bad lines.
    let (status, _) = import_grades(&paul, g, META, SCORES).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) =
        import_grades(&paul, g, &format!("{META}&skip_invalid=true"), SCORES).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: GradesReport = serde_json::from_value(body).unwrap();
    assert!(report.imported);
    // The student's device receives the grade, written by the teacher; the refused imports
    // wrote nothing (one assessment of that title only).
    let key = report.assessment.clone();
    let got =
        device.until_doc(&grades, |g: &Grades| g.assessments.contains_key(&key)).await.unwrap();
    assert_eq!(imported_titles(&got), vec!["Partiel 2"]);
    let a = &got.assessments[&key];
    assert_eq!((a.score, a.out_of, a.coefficient), (Some(15.5), 20.0, 2.0));
    assert_eq!(a.subject, "Algorithmique");
    assert_eq!(a.comment.as_deref(), Some("Bien"));
    assert_eq!(a.author, "paul.durand");
    assert!(a.published_ms.is_some());
    assert_eq!(a.date_ms, 1_768_478_400_000);
    assert_eq!(got.assessments.len(), before.assessments.len() + 1);
    device.close().await.unwrap();
}

#[tokio::test]
async fn grade_imports_are_refused_to_others_and_checked() {
    let server = TestServer::start().await.unwrap();
    let g = demo::GROUP;
    let csv = "student,score\nlea.martin,12\n";
    for login in ["lea.martin", "parent.martin", "vie.scolaire"] {
        let who = Account::demo(&server, login).await.unwrap();
        let (status, _) = import_grades(&who, g, META, csv).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
    }
    let resp = http()
        .post(server.url(&format!("/api/groups/{g}/assessments/import?{META}")))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let paul = Account::demo(&server, "paul.durand").await.unwrap();
    // Not his subject; not his group (a group he does not teach).
    let other_subject = META.replace("Algorithmique", "R%C3%A9seaux");
    let (status, body) = import_grades(&paul, g, &other_subject, csv).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("Réseaux"));
    let admin = Account::demo(&server, "admin").await.unwrap();
    let resp = admin
        .request(Method::POST, "/api/admin/groups")
        .json(&json!({"id": "l3-info", "name": "L3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (status, _) = import_grades(&paul, "l3-info", META, csv).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = import_grades(&paul, "no-such-group", META, csv).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A bad assessment: 400 with the reason, before any line is read.
    for (query, reason) in [
        (META.replace("2026-01-15", "15%2F01%2F2026"), "YYYY-MM-DD"),
        (META.replace("out_of=20", "out_of=0"), "out_of"),
        (META.replace("coefficient=2", "coefficient=-1"), "coefficient"),
        (META.replace("title=Partiel%202", "title=%20"), "title is empty"),
        (META.replace("title=Partiel%202&", ""), "title"),
        (META.replace("out_of=20", "out_of=vingt"), "out_of"),
    ] {
        let (status, body) = import_grades(&paul, g, &query, csv).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body["message"].as_str().unwrap().contains(reason), "{query}: {body}");
    }
    let (status, body) = import_grades(&paul, g, META, "name,score\nx,1\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("unknown column"));
    let problem = serde_json::json!({"kind": "file", "file": "unknown_column", "value": "name",
        "allowed": ["student", "score", "comment"]});
    assert_eq!(body["problem"], problem, "{body}");
    let (status, body) = import_grades(&paul, g, META, "score\n12\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let problem = serde_json::json!({"kind": "file", "file": "column_missing", "value": "student"});
    assert_eq!(body["problem"], problem, "{body}");
    // An administrator may import in any subject.
    let (status, body) = import_grades(&admin, g, &other_subject, csv).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A student created today has no grades document yet: the import creates it, and the
    // student's first sync brings the grade.
    let resp =
        create(&admin, json!({"login": "nina", "display_name": "Nina", "role": "student"})).await;
    let nina: CreatedAccount = resp.json().await.unwrap();
    let resp = admin
        .request(Method::PUT, &format!("/api/admin/groups/{g}/members/nina"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, body) = import_grades(&paul, g, META, "student,score\nnina,17\n").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session =
        Account::login(&server, "nina", nina.initial_password.as_ref().unwrap()).await.unwrap();
    let device = session.synced(&server).await.unwrap();
    let doc: DocId = "grades:nina".parse().unwrap();
    let grades = device.read::<Grades>(&doc).expect("nina's grades on her device");
    let scores: Vec<Option<f64>> = grades.assessments.values().map(|a| a.score).collect();
    assert_eq!(scores, vec![Some(17.0)]);
}

#[test]
fn new_account_bodies_round_trip() {
    let a = NewAccount {
        login: "x".into(),
        display_name: "X".into(),
        role: Role::Staff,
        password: None,
        subjects: vec![],
        expires_at_ms: None,
    };
    let v: NewAccount =
        serde_json::from_value(json!({"login": "x", "display_name": "X", "role": "staff"}))
            .unwrap();
    assert_eq!(v, a);
}

fn bearer(server: &TestServer, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    http().request(method, server.url(path)).bearer_auth(token)
}

#[tokio::test]
async fn api_tokens_are_created_by_admins_scoped_hashed_and_revocable() {
    let server = TestServer::start().await.unwrap();
    let admin = Account::demo(&server, "admin").await.unwrap();
    let new_token = |scopes: serde_json::Value| {
        admin
            .request(Method::POST, "/api/admin/tokens")
            .json(&json!({"name": "Annuaire", "scopes": scopes}))
            .send()
    };
    // Only administrators create tokens; scopes are checked.
    let teacher = Account::demo(&server, "paul.durand").await.unwrap();
    let resp = teacher
        .request(Method::POST, "/api/admin/tokens")
        .json(&json!({"name": "x", "scopes": ["accounts:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    for (scopes, reason) in
        [(json!([]), "at least one"), (json!(["grades:write"]), "unknown scope")]
    {
        let resp = new_token(scopes).await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(error_message(resp).await.contains(reason));
    }
    let resp = new_token(json!(["accounts:read"])).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let reader: cartable_shared::admin::CreatedApiToken = resp.json().await.unwrap();
    let importer: cartable_shared::admin::CreatedApiToken =
        new_token(json!(["roster:import", "groups:read"])).await.unwrap().json().await.unwrap();

    // Within its scopes only.
    let resp =
        bearer(&server, Method::GET, "/api/v1/accounts", &reader.secret).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let list: AccountList = resp.json().await.unwrap();
    assert!(list.accounts.iter().any(|a| a.login.as_str() == "lea.martin"));
    let resp = bearer(&server, Method::GET, "/api/v1/groups", &reader.secret).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = bearer(&server, Method::POST, "/api/v1/import/roster", &reader.secret)
        .body("login,display_name,role\nsis.one,Sis One,student\n")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = bearer(&server, Method::POST, "/api/v1/import/roster", &importer.secret)
        .body("login,display_name,role\nsis.one,Sis One,student\n")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let report: RosterReport = resp.json().await.unwrap();
    assert!(report.imported);
    let resp =
        bearer(&server, Method::GET, "/api/v1/groups", &importer.secret).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // No token, a wrong one, a session cookie instead: 401 with WWW-Authenticate.
    let no_token = http().get(server.url("/api/v1/accounts")).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.headers()[reqwest::header::WWW_AUTHENTICATE], "Bearer");
    let (head, last) = reader.secret.split_at(reader.secret.len() - 1);
    let wrong = format!("{head}{}", if last == "0" { "1" } else { "0" });
    let resp = bearer(&server, Method::GET, "/api/v1/accounts", &wrong).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = admin.request(Method::GET, "/api/v1/accounts").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Listed without secrets, with the last use; the database holds no secret.
    let resp = admin.request(Method::GET, "/api/admin/tokens").send().await.unwrap();
    let text = resp.text().await.unwrap();
    assert!(!text.contains(&reader.secret) && !text.contains(&importer.secret));
    let tokens: cartable_shared::admin::ApiTokenList = serde_json::from_str(&text).unwrap();
    assert_eq!(tokens.tokens.len(), 2);
    assert!(tokens.tokens.iter().all(|t| t.last_used_ms.is_some()));
    let db = database_text(server.data_dir());
    assert!(!db.contains(&reader.secret) && !db.contains(&importer.secret));

    // Revoked: refused at once; revoking twice is a 404.
    let path = format!("/api/admin/tokens/{}", reader.token.id);
    let resp = admin.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp =
        bearer(&server, Method::GET, "/api/v1/accounts", &reader.secret).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = admin.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_description_covers_the_v1_routes() {
    let server = TestServer::start().await.unwrap();
    let resp = http().get(server.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/accounts",
        "/api/v1/groups",
        "/api/v1/import/roster",
        "/api/v1/groups/{group}/sessions/{session}",
        "/api/v1/groups/{group}/homework/{id}",
        "/api/v1/students/{student}/grades",
        "/api/v1/announcements/{audience}/{id}",
        "/api/v1/reminders",
    ] {
        assert!(paths.contains_key(expected), "{expected} is described");
    }
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    // Every documented operation answers (401 without a token), so the description is not
    // stale.
    for (path, operations) in paths {
        let url = path.replace(['{', '}'], "");
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let resp = http().request(method.clone(), server.url(&url)).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}
