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

use std::sync::{Mutex, OnceLock};

use crossterm::event::{Event as TermEvent, KeyEventKind};
use futures_util::StreamExt as _;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub use app::{Action, App};

/// The terminal could not be set up or drawn.
#[derive(Debug, thiserror::Error)]
#[error("terminal: {0}")]
pub struct TuiError(#[from] std::io::Error);

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
    /// Background work to start (deliveries); each ends in an action fed back to `update`.
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
        App::take_work(self)
    }
}

/// What the terminal sends (keys, resizes), as the input thread read it.
type Input = std::io::Result<TermEvent>;

/// The terminal's events, read by one thread for the life of the process. Screens come and go
/// (the launcher, then the incident it opens): a reader made and dropped with each screen
/// could keep the terminal for itself a moment too long and swallow the next screen's first
/// keys; one reader that outlives them all hands every key to whichever screen is open.
static INPUT: OnceLock<Mutex<Option<UnboundedReceiver<Input>>>> = OnceLock::new();

/// Takes the receiving end of the terminal's events for a screen (starting the reader the
/// first time); [`InputLease`] gives it back when the screen ends.
fn lease_input() -> InputLease {
    let slot = INPUT.get_or_init(|| {
        let (sender, receiver) = unbounded_channel();
        std::thread::spawn(move || {
            loop {
                let event = crossterm::event::read();
                let failed = event.is_err();
                // Stop when nobody listens any more, or the terminal is gone.
                if sender.send(event).is_err() || failed {
                    break;
                }
            }
        });
        Mutex::new(Some(receiver))
    });
    let receiver = slot.lock().ok().and_then(|mut r| r.take());
    InputLease { receiver }
}

/// A screen's hold on the terminal's events; returned for the next screen when dropped.
struct InputLease {
    receiver: Option<UnboundedReceiver<Input>>,
}

impl InputLease {
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
        if let (Some(receiver), Some(slot)) = (self.receiver.take(), INPUT.get())
            && let Ok(mut slot) = slot.lock()
        {
            *slot = Some(receiver);
        }
    }
}

/// Runs a screen in the terminal until it is done.
pub fn run<S: Screen>(screen: &mut S) -> Result<(), TuiError> {
    // IO as well as time: the mail worker opens network connections on this runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(event_loop(screen))
}

async fn event_loop<S: Screen>(screen: &mut S) -> Result<(), TuiError> {
    let mut terminal = ratatui::try_init()?;
    let _restore = RestoreGuard;
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
                // Windows reports releases too; a screen acts on presses (and repeats) only.
                Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => screen.key(key),
                Some(Ok(TermEvent::Resize(_, _))) => Some(Action::Tick),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            _ = tick.tick() => Some(Action::Tick),
            _ = refresh.tick() => Some(Action::Refresh),
        };
        let mut next = action;
        while let Some(a) = next {
            next = screen.update(a);
        }
        work.extend(screen.take_work());
        if screen.done() {
            break;
        }
        terminal.draw(|f| screen.draw(f))?;
    }
    Ok(())
}
