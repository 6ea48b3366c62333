//! Property test: three replicas edit offline, exchange sync messages in a random order with
//! dropped and duplicated messages, then reconnect; they always converge to the same state with
//! every edit present.

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT, ReadDoc};
use proptest::prelude::*;

const REPLICAS: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    /// Replica `r` writes a new note (a unique key) and appends to the shared list.
    Edit { r: usize },
    /// Replica `from` generates a message for `to`; it is delivered `copies` times (0 = lost).
    Send { from: usize, to: usize, copies: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..REPLICAS).prop_map(|r| Step::Edit { r }),
        (0..REPLICAS, 0..REPLICAS, 0u8..3)
            .prop_filter("distinct peers", |(f, t, _)| f != t)
            .prop_map(|(from, to, copies)| Step::Send { from, to, copies }),
    ]
}

struct Net {
    docs: Vec<Automerge>,
    /// `states[i][j]`: replica i's sync state for peer j.
    states: Vec<Vec<sync::State>>,
    written: Vec<String>,
}

impl Net {
    fn new() -> Self {
        // Every replica starts from the same base document (as devices do after a first sync).
        let mut base = Automerge::new();
        let mut tx = base.transaction();
        tx.put_object(ROOT, "notes", ObjType::Map).unwrap();
        tx.put_object(ROOT, "log", ObjType::List).unwrap();
        tx.commit();
        let bytes = base.save();
        Self {
            docs: (0..REPLICAS).map(|_| Automerge::load(&bytes).unwrap()).collect(),
            states: Self::fresh_states(),
            written: Vec::new(),
        }
    }

    fn fresh_states() -> Vec<Vec<sync::State>> {
        (0..REPLICAS).map(|_| (0..REPLICAS).map(|_| sync::State::new()).collect()).collect()
    }

    fn edit(&mut self, r: usize) {
        let key = format!("r{r}-{}", self.written.len());
        let doc = &mut self.docs[r];
        let notes = doc.get(ROOT, "notes").unwrap().unwrap().1;
        let log = doc.get(ROOT, "log").unwrap().unwrap().1;
        let mut tx = doc.transaction();
        tx.put(&notes, key.as_str(), key.as_str()).unwrap();
        let len = tx.length(&log);
        tx.insert(&log, len, key.as_str()).unwrap();
        tx.commit();
        self.written.push(key);
    }

    /// Returns whether a message was generated.
    fn send(&mut self, from: usize, to: usize, copies: u8) -> bool {
        let Some(msg) = self.docs[from].generate_sync_message(&mut self.states[from][to]) else {
            return false;
        };
        let bytes = msg.encode();
        for _ in 0..copies {
            let msg = sync::Message::decode(&bytes).unwrap();
            self.docs[to].receive_sync_message(&mut self.states[to][from], msg).unwrap();
        }
        true
    }

    /// Reconnects every pair (fresh sync states, as after a dropped connection) and delivers
    /// reliably until no replica has anything to send.
    fn settle(&mut self) {
        self.states = Self::fresh_states();
        for _ in 0..100 {
            let mut any = false;
            for from in 0..REPLICAS {
                for to in 0..REPLICAS {
                    if from != to {
                        any |= self.send(from, to, 1);
                    }
                }
            }
            if !any {
                return;
            }
        }
        panic!("replicas did not settle within 100 rounds");
    }

    fn notes(&self, r: usize) -> Vec<String> {
        let doc = &self.docs[r];
        let notes = doc.get(ROOT, "notes").unwrap().unwrap().1;
        doc.keys(&notes).collect()
    }

    fn log(&self, r: usize) -> Vec<String> {
        let doc = &self.docs[r];
        let log = doc.get(ROOT, "log").unwrap().unwrap().1;
        (0..doc.length(&log))
            .map(|i| doc.get(&log, i).unwrap().unwrap().0.into_string().unwrap().to_owned())
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_interleaving_with_losses_and_duplicates_converges(steps in proptest::collection::vec(step(), 1..60)) {
        let mut net = Net::new();
        for s in steps {
            match s {
                Step::Edit { r } => net.edit(r),
                Step::Send { from, to, copies } => { net.send(from, to, copies); }
            }
        }
        net.settle();

        let heads = net.docs[0].get_heads();
        let mut expected = net.written.clone();
        expected.sort();
        for r in 0..REPLICAS {
            prop_assert_eq!(net.docs[r].get_heads(), heads.clone(), "replica {} diverged", r);
            prop_assert_eq!(net.notes(r), expected.clone(), "replica {} lost a note", r);
            let mut log = net.log(r);
            prop_assert_eq!(&log, &net.log(0), "replica {} orders the list differently", r);
            log.sort();
            prop_assert_eq!(log, expected.clone(), "replica {} lost a list entry", r);
        }
    }
}
