//! The operator's terminal UI: one screen that says what to do next.
//!
//! It holds no incident logic: keys become [`app::Action`]s, actions that change anything
//! become engine commands run through the [`crate::incident::Incident`], and the screen is
//! drawn from the state the journal produced. A tokio loop waits on terminal events and a
//! one-second tick, so timers repaint without blocking a key. The terminal is restored on
//! every exit: a guard on return and error paths, ratatui's panic hook on a panic.

pub mod app;
pub mod keys;
pub mod launcher;
pub mod view;

use std::time::Duration;

use std::sync::{Condvar, Mutex, OnceLock};

use crossterm::event::{Event as TermEvent, KeyEventKind};
use futures_util::StreamExt as _;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub use app::{Action, App};

/// The terminal could not be set up or drawn.
#[derive(Debug, thiserror::Error)]
pub struct TuiError(#[from] std::io::Error);

/// The English of [`TuiError::message`].
impl std::fmt::Display for TuiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::Lang::En))
    }
}

impl TuiError {
    /// The message in `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        let e = &self.0;
        crate::tr!(
            lang,
            "画面を表示できません: {e}",
            "cannot show the screen: {e}"
        )
    }
}

/// Restores the terminal when dropped, on every way out of the loop.
struct RestoreGuard;

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Something the screen loop can run: it draws, and it takes actions.
pub trait Screen {
    /// Draws the screen.
    fn draw(&self, frame: &mut ratatui::Frame);
    /// The action for a key, if any.
    fn key(&self, key: crossterm::event::KeyEvent) -> Option<Action>;
    /// Applies an action; returns a follow-up.
    fn update(&mut self, action: Action) -> Option<Action>;
    /// Whether to leave.
    fn done(&self) -> bool;
    /// Background work to start (deliveries, the reply mailbox's round trips); each ends in
    /// an action fed back to `update`.
    fn take_work(&mut self) -> Vec<app::Work> {
        Vec::new()
    }
}

impl Screen for App {
    fn draw(&self, frame: &mut ratatui::Frame) {
        view::draw(self, frame);
    }
    fn key(&self, key: crossterm::event::KeyEvent) -> Option<Action> {
        keys::action(&self.mode, key)
    }
    fn update(&mut self, action: Action) -> Option<Action> {
        App::update(self, action)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn take_work(&mut self) -> Vec<app::Work> {
        let mut work = App::take_work(self);
        work.extend(self.take_reply_work());
        work
    }
}

/// What the terminal sends (keys, resizes), as the input thread read it.
type Input = std::io::Result<TermEvent>;

/// The terminal's events, read by one thread for the life of the process. Screens come and go
/// (the launcher, then the incident it opens): a reader made and dropped with each screen
/// could keep the terminal for itself a moment too long and swallow the next screen's first
/// keys; one reader that outlives them all hands every key to whichever screen is open. It
/// reads only while a screen holds the lease: between screens, after the last one and once a
/// panic has restored the terminal, what is typed is left to the shell.
struct InputShared {
    receiver: Mutex<Option<UnboundedReceiver<Input>>>,
    gate: Mutex<Gate>,
    wake: Condvar,
}

/// Whether a screen wants events, and whether the reader is parked (touching no terminal).
#[derive(Debug, Clone, Copy)]
struct Gate {
    reading: bool,
    parked: bool,
}

static INPUT: OnceLock<InputShared> = OnceLock::new();

/// How long the reader waits for an event before it checks whether a screen still wants them.
const INPUT_POLL: Duration = Duration::from_millis(20);

impl InputShared {
    /// Lets the reader read, or stops it: when stopping, waits (briefly) until the reader is
    /// parked, so that nothing typed from now on is read by it.
    fn set_reading(&self, on: bool) {
        let Ok(mut gate) = self.gate.lock() else {
            return;
        };
        gate.reading = on;
        self.wake.notify_all();
        if !on {
            let _ = self
                .wake
                .wait_timeout_while(gate, INPUT_POLL * 5, |g| !g.parked);
        }
    }

    fn is_reading(&self) -> bool {
        self.gate.lock().map(|g| g.reading).unwrap_or(false)
    }

    /// Parks until a screen wants events; false if the lock is poisoned (stop reading).
    fn wait_for_reader(&self) -> bool {
        let Ok(mut gate) = self.gate.lock() else {
            return false;
        };
        if !gate.reading {
            gate.parked = true;
            self.wake.notify_all();
        }
        while !gate.reading {
            match self.wake.wait(gate) {
                Ok(g) => gate = g,
                Err(_) => return false,
            }
        }
        gate.parked = false;
        true
    }
}

/// Takes the receiving end of the terminal's events for a screen (starting the reader the
/// first time); [`InputLease`] gives it back when the screen ends.
fn lease_input() -> InputLease {
    let shared = INPUT.get_or_init(|| {
        let (sender, receiver) = unbounded_channel();
        std::thread::spawn(move || reader(sender));
        // A panic restores the terminal (ratatui's hook); from then on keys are the shell's.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(shared) = INPUT.get() {
                shared.set_reading(false);
            }
            previous(info);
        }));
        InputShared {
            receiver: Mutex::new(Some(receiver)),
            gate: Mutex::new(Gate {
                reading: false,
                parked: true,
            }),
            wake: Condvar::new(),
        }
    });
    let receiver = shared.receiver.lock().ok().and_then(|mut r| r.take());
    shared.set_reading(true);
    InputLease { receiver }
}

/// The input thread: while a screen holds the lease, each terminal event is sent to it.
fn reader(sender: tokio::sync::mpsc::UnboundedSender<Input>) {
    // Started from inside `get_or_init`: the shared state is there as soon as that returns.
    let shared = INPUT.wait();
    loop {
        if !shared.wait_for_reader() {
            break;
        }
        let event = match crossterm::event::poll(INPUT_POLL) {
            Ok(false) => continue,
            // The screen may have ended while this waited: the event stays for the next one.
            Ok(true) if !shared.is_reading() => continue,
            Ok(true) => crossterm::event::read(),
            Err(e) => Err(e),
        };
        let failed = event.is_err();
        // Stop when nobody listens any more, or the terminal is gone.
        if sender.send(event).is_err() || failed {
            break;
        }
    }
}

/// A screen's hold on the terminal's events; returned for the next screen when dropped.
struct InputLease {
    receiver: Option<UnboundedReceiver<Input>>,
}

impl InputLease {
    /// An event that has already arrived, without waiting.
    fn ready(&mut self) -> Option<Input> {
        self.receiver.as_mut()?.try_recv().ok()
    }

    /// The next event; `None` once the terminal is gone.
    async fn next(&mut self) -> Option<Input> {
        match &mut self.receiver {
            Some(r) => r.recv().await,
            None => None,
        }
    }
}

impl Drop for InputLease {
    fn drop(&mut self) {
        if let Some(shared) = INPUT.get() {
            shared.set_reading(false);
            if let (Some(receiver), Ok(mut slot)) = (self.receiver.take(), shared.receiver.lock()) {
                *slot = Some(receiver);
            }
        }
    }
}

/// The action for one terminal event.
fn input_action<S: Screen>(screen: &S, event: Input) -> Result<Option<Action>, TuiError> {
    Ok(match event? {
        // Windows reports releases too; a screen acts on presses (and repeats) only.
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => screen.key(key),
        TermEvent::Paste(text) => Some(Action::Paste(text)),
        TermEvent::Resize(_, _) => Some(Action::Tick),
        _ => None,
    })
}

/// Runs a screen in the terminal until it is done.
pub fn run<S: Screen>(screen: &mut S) -> Result<(), TuiError> {
    // IO as well as time: the mail worker opens network connections on this runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(event_loop(screen));
    // Leaving does not wait for work still on the runtime's blocking threads (a DNS lookup of
    // an unreachable server can take its time): the journal holds everything already, and
    // mail not yet delivered stays queued in the outbox.
    runtime.shutdown_background();
    result
}

async fn event_loop<S: Screen>(screen: &mut S) -> Result<(), TuiError> {
    let mut terminal = ratatui::try_init()?;
    let _restore = RestoreGuard;
    // A paste arrives as one event, not one key per character (and its line breaks are text,
    // not Enter keys).
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    let mut events = lease_input();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // Others may append to the journal at any moment (another screen, a command on another
    // PC): a look every 200 ms shows it well within a second.
    let mut refresh = tokio::time::interval(crate::incident::REFRESH);
    let mut work = futures_util::stream::FuturesUnordered::new();
    work.extend(screen.take_work());
    terminal.draw(|f| screen.draw(f))?;
    loop {
        let action = tokio::select! {
            Some(action) = work.next(), if !work.is_empty() => Some(action),
            event = events.next() => match event {
                Some(event) => input_action(screen, event)?,
                None => break,
            },
            _ = tick.tick() => Some(Action::Tick),
            _ = refresh.tick() => Some(Action::Refresh),
        };
        let mut next = action;
        while let Some(a) = next {
            next = screen.update(a);
        }
        // Keys that arrived meanwhile (a paste where the terminal has no bracketed paste) are
        // taken before the next draw: a long paste costs one draw, not one per character.
        while !screen.done() {
            let Some(event) = events.ready() else {
                break;
            };
            let mut next = input_action(screen, event)?;
            while let Some(a) = next {
                next = screen.update(a);
            }
        }
        work.extend(screen.take_work());
        if screen.done() {
            break;
        }
        terminal.draw(|f| screen.draw(f))?;
    }
    Ok(())
}
