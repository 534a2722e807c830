//! Witnesses of the journal's tail. A hash chain shows that no line was changed or removed
//! in the middle, but not that its last lines were cut off: the chain that is left is intact.
//! Copies kept elsewhere can show it. Every message hikeshi composes carries the journal's
//! head at that moment (`X-Hikeshi-Journal: <seq> <sha256>`, and a short form in its body's
//! footer), and every report prints it (`X-Hikeshi-Report: <incident> <seq> <sha256>`).
//! [`find`] reads such heads back from .eml files, mailbox exports or earlier reports, and
//! [`check`] names each head that the journal does not hold at that seq: evidence that the
//! journal was cut back or rewritten after the copy was made.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::journal::Entry;

/// The mail header that carries the journal's head.
pub const HEADER: &str = "X-Hikeshi-Journal";
/// The mail header naming the incident a message belongs to.
pub const INCIDENT_HEADER: &str = "X-Hikeshi-Incident";
/// The line every report prints: the incident and the journal's head.
pub const REPORT_MARK: &str = "X-Hikeshi-Report";
/// The start of the footer line in a message's body.
pub const FOOTER_MARK: &str = "hikeshi-journal";
/// How many hex digits of the hash the footer shows (64 bits: enough to tell heads apart).
const FOOTER_DIGITS: usize = 16;

/// The incident id as it may appear in a header or a Message-ID: letters, digits, `-`, `_`
/// and `.` only (a folder renamed to something else must not make a header invalid).
pub fn id_token(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The value of the [`HEADER`] header: `<seq> <sha256>`.
pub fn header_value(seq: u64, hash: &str) -> String {
    format!("{seq} {hash}")
}

/// The footer line of a message's body: the head in short.
pub fn footer(seq: u64, hash: &str) -> String {
    let short: String = hash.chars().take(FOOTER_DIGITS).collect();
    format!("{FOOTER_MARK}: {seq} {short}")
}

/// The line a report prints: `X-Hikeshi-Report: <incident> <seq> <sha256>`.
pub fn report_line(incident: &str, seq: u64, hash: &str) -> String {
    format!("{REPORT_MARK}: {} {seq} {hash}", id_token(incident))
}

/// Where in a witness a head was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A message's [`HEADER`].
    Header,
    /// A message body's footer line.
    Footer,
    /// A report's [`REPORT_MARK`] line.
    Report,
}

/// A head found in a witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Where it was written.
    pub source: Source,
    /// The incident it names (as an id token), if the witness names one.
    pub incident: Option<String>,
    /// The journal's last seq when the copy was made.
    pub seq: u64,
    /// The hash of that entry: all 64 hex digits, or the footer's first 16.
    pub hash: String,
    /// The line of the witness file it was found on (1-based).
    pub line: usize,
}

/// `<seq> <hash>` as found after a mark, if it is one. The hash ends where its hex digits
/// do (a report's line may go on with `</td>`, a quote or a backtick).
fn seq_and_hash<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<(u64, String)> {
    let seq = words.next()?.parse().ok()?;
    let hash: String = words
        .next()?
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (hash.len() == 64 || hash.len() == FOOTER_DIGITS).then(|| (seq, hash.to_ascii_lowercase()))
}

/// Heads waiting for their message's incident header at most; more are taken as they are.
const MAX_PENDING: usize = 1024;

/// Finds heads line by line (a witness is read as a stream, never whole): mail headers
/// folded over lines are joined again, and a message's heads wait for its incident header.
struct Finder<'a> {
    emit: &'a mut dyn FnMut(Head),
    incident: Option<String>,
    /// Heads of the current message seen before its incident header.
    pending: Vec<Head>,
    /// The last line, kept until the next shows whether it goes on (a folded header).
    held: Option<(usize, String)>,
    /// The next line's number (0-based).
    number: usize,
}

impl<'a> Finder<'a> {
    fn new(emit: &'a mut dyn FnMut(Head)) -> Finder<'a> {
        Finder {
            emit,
            incident: None,
            pending: Vec::new(),
            held: None,
            number: 0,
        }
    }

    /// One line of the witness (without its line break).
    fn line(&mut self, line: &str) {
        let i = self.number;
        self.number += 1;
        // A long header goes on in lines that start with white space.
        if line.starts_with([' ', '\t'])
            && let Some((_, last)) = self.held.as_mut()
            && last
                .get(..10)
                .is_some_and(|p| p.eq_ignore_ascii_case("X-Hikeshi-"))
        {
            last.push(' ');
            last.push_str(line.trim());
            return;
        }
        if let Some((at, last)) = self.held.replace((i, line.to_string())) {
            self.process(at, &last);
        }
    }

    fn finish(mut self) {
        if let Some((at, last)) = self.held.take() {
            self.process(at, &last);
        }
        for head in std::mem::take(&mut self.pending) {
            (self.emit)(head);
        }
    }

    fn process(&mut self, i: usize, raw: &str) {
        let line = raw.trim();
        if raw.starts_with("From ") {
            // A new message of a mailbox: its heads wait for its own incident header.
            self.incident = None;
            for head in std::mem::take(&mut self.pending) {
                (self.emit)(head);
            }
        }
        if let Some(value) = strip_mark(line, INCIDENT_HEADER) {
            let id = id_token(value.trim());
            for mut head in std::mem::take(&mut self.pending) {
                head.incident.get_or_insert_with(|| id.clone());
                (self.emit)(head);
            }
            self.incident = Some(id);
        } else if let Some((source, value)) = strip_mark(line, HEADER)
            .map(|v| (Source::Header, v))
            .or_else(|| strip_mark(line, FOOTER_MARK).map(|v| (Source::Footer, v)))
        {
            if let Some((seq, hash)) = seq_and_hash(value.split_whitespace()) {
                let head = Head {
                    source,
                    incident: self.incident.clone(),
                    seq,
                    hash,
                    line: i + 1,
                };
                if self.incident.is_none() && self.pending.len() < MAX_PENDING {
                    self.pending.push(head);
                } else {
                    (self.emit)(head);
                }
            }
        } else if let Some(value) = find_mark(line, REPORT_MARK) {
            let mut words = value.split_whitespace();
            let id = words.next().map(id_token);
            if let Some((seq, hash)) = seq_and_hash(words) {
                (self.emit)(Head {
                    source: Source::Report,
                    incident: id,
                    seq,
                    hash,
                    line: i + 1,
                });
            }
        }
    }
}

/// Every head in `text`: a mail file, a mailbox export of many messages (`From ` lines part
/// them, and each message's incident comes from its own header), or a report.
pub fn find(text: &str) -> Vec<Head> {
    let mut heads = Vec::new();
    let mut emit = |h: Head| heads.push(h);
    let mut finder = Finder::new(&mut emit);
    for line in text.lines() {
        finder.line(line);
    }
    finder.finish();
    heads
}

/// The longest piece of a line looked at at once: a longer line (a file with no line breaks)
/// is taken in pieces, cut where a witness line cannot be (see [`cut_at`]).
const MAX_PIECE: usize = 1 << 20;

/// Where to cut a piece of a long line: after the last `<`, `>`, `"`, `,` or `|` of its
/// tail, none of which a witness line holds, so no head is cut in two; else at the end.
fn cut_at(piece: &[u8]) -> usize {
    let tail = piece.len().saturating_sub(4096);
    piece[tail..]
        .iter()
        .rposition(|b| matches!(b, b'<' | b'>' | b'"' | b',' | b'|'))
        .map_or(piece.len(), |at| tail + at + 1)
}

/// Feeds `reader` to `finder` line by line, holding at most about [`MAX_PIECE`] bytes of it.
fn scan_lines(reader: impl std::io::Read, finder: &mut Finder<'_>) -> std::io::Result<()> {
    use std::io::BufRead as _;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, reader);
    let mut line: Vec<u8> = Vec::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let used = match buf.iter().position(|b| *b == b'\n') {
            Some(at) => {
                line.extend_from_slice(&buf[..at]);
                finder.line(String::from_utf8_lossy(&line).trim_end_matches('\r'));
                line.clear();
                at + 1
            }
            None => {
                line.extend_from_slice(buf);
                buf.len()
            }
        };
        reader.consume(used);
        if line.len() > MAX_PIECE {
            let at = cut_at(&line);
            finder.line(&String::from_utf8_lossy(&line[..at]));
            line.drain(..at);
        }
    }
    if !line.is_empty() {
        finder.line(String::from_utf8_lossy(&line).trim_end_matches('\r'));
    }
    Ok(())
}

/// The text of an XML part, as a reader: a paragraph, cell, row or shared string ends a line
/// (Word and LibreOffice may split a paragraph's text into many runs, a `<w:t>` each), every
/// other tag is dropped, and the five XML entities are read back.
struct XmlText<R> {
    inner: R,
    in_tag: bool,
    tag: Vec<u8>,
    out: std::collections::VecDeque<u8>,
    entity: Option<Vec<u8>>,
}

impl<R: std::io::Read> XmlText<R> {
    fn new(inner: R) -> XmlText<R> {
        XmlText {
            inner,
            in_tag: false,
            tag: Vec::new(),
            out: std::collections::VecDeque::new(),
            entity: None,
        }
    }

    fn byte(&mut self, b: u8) {
        if self.in_tag {
            if b == b'>' {
                self.in_tag = false;
                let tag = std::mem::take(&mut self.tag);
                let end = tag
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .unwrap_or(tag.len());
                let ends_line = matches!(
                    &tag[..end],
                    b"/w:p" | b"/c" | b"/si" | b"/row" | b"/text:p" | b"/a:p" | b"w:br/" | b"w:br"
                );
                if ends_line {
                    self.out.push_back(b'\n');
                }
            } else if self.tag.len() < 64 {
                self.tag.push(b);
            }
            return;
        }
        if let Some(entity) = self.entity.as_mut() {
            if b == b';' || entity.len() > 8 {
                let text: &[u8] = match entity.as_slice() {
                    b"amp" => b"&",
                    b"lt" => b"<",
                    b"gt" => b">",
                    b"quot" => b"\"",
                    b"apos" => b"'",
                    _ => b"",
                };
                self.out.extend(text);
                self.entity = None;
            } else {
                entity.push(b);
            }
            return;
        }
        match b {
            b'<' => self.in_tag = true,
            b'&' => self.entity = Some(Vec::new()),
            b => self.out.push_back(b),
        }
    }
}

impl<R: std::io::Read> std::io::Read for XmlText<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut chunk = [0u8; 8192];
        while self.out.is_empty() {
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                return Ok(0);
            }
            for &b in &chunk[..n] {
                self.byte(b);
            }
        }
        let n = buf.len().min(self.out.len());
        for (slot, b) in buf.iter_mut().zip(self.out.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }
}

/// Calls `emit` for every head in the file at `path`, read as a stream (a witness may be a
/// mailbox export of gigabytes): mail, a mailbox, a report in any text format, or a Word or
/// Excel report, whose XML parts are read inflated (a report re-saved by Word or LibreOffice
/// keeps its witness line in the document's text, compressed, its runs perhaps split).
pub fn scan_file(path: &Path, emit: &mut dyn FnMut(Head)) -> std::io::Result<()> {
    use std::io::{Read as _, Seek as _};
    // A witness is read only if it is a regular file (a pipe would never end).
    let mut file = crate::platform::open_regular(path, true)?;
    let mut magic = [0u8; 4];
    let zipped = file.read(&mut magic)? == 4 && magic == *b"PK\x03\x04";
    file.rewind()?;
    let mut finder = Finder::new(emit);
    if zipped && let Ok(mut archive) = zip::ZipArchive::new(&mut file) {
        for i in 0..archive.len() {
            let part = archive.by_index(i).map_err(std::io::Error::other)?;
            if part.is_file() && part.name().ends_with(".xml") {
                scan_lines(XmlText::new(part), &mut finder)?;
            }
        }
    } else {
        scan_lines(file, &mut finder)?;
    }
    finder.finish();
    Ok(())
}

/// Whether the file at `path` is a hikeshi report (read as [`scan_file`] reads it): it has a
/// report's witness line.
pub fn file_is_report(path: &Path) -> bool {
    let mut found = false;
    scan_file(path, &mut |h| found |= h.source == Source::Report).is_ok() && found
}

/// Whether `text` is a hikeshi report: it has a report's witness line.
pub fn is_report(text: &str) -> bool {
    find(text).iter().any(|h| h.source == Source::Report)
}

/// The rest of `line` after `mark:` at its start (a header or the footer), ignoring case.
fn strip_mark<'a>(line: &'a str, mark: &str) -> Option<&'a str> {
    let head = line.get(..mark.len())?;
    let rest = line.get(mark.len()..)?;
    (head.eq_ignore_ascii_case(mark)).then_some(())?;
    rest.strip_prefix(':')
}

/// The rest of `line` after `mark:` anywhere in it (a report's line sits inside HTML, a
/// Markdown cell, a CSV cell or a JSON string).
fn find_mark<'a>(line: &'a str, mark: &str) -> Option<&'a str> {
    let at = line.find(mark)?;
    line.get(at + mark.len()..)?.strip_prefix(':')
}

/// What a head says about a journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The journal holds that entry: it was not cut back before it.
    Holds,
    /// The journal ends before that seq: it was cut back after the copy was made.
    Missing {
        /// The journal's last seq now.
        last: u64,
    },
    /// The journal has another entry at that seq: it was rewritten after the copy was made.
    Differs {
        /// The hash the journal has there.
        found: String,
    },
    /// The head names another incident: not evidence about this one.
    OtherIncident,
}

/// What `head` says about the journal `entries` of incident `id`.
pub fn check(id: &str, by_seq: &HashMap<u64, &Entry>, last: u64, head: &Head) -> Finding {
    if head
        .incident
        .as_ref()
        .is_some_and(|other| *other != id_token(id))
    {
        return Finding::OtherIncident;
    }
    match by_seq.get(&head.seq) {
        None => Finding::Missing { last },
        Some(entry) if entry.hash.starts_with(&head.hash) => Finding::Holds,
        Some(entry) => Finding::Differs {
            found: entry.hash.clone(),
        },
    }
}

/// A head that the journal contradicts, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    /// The witness file.
    pub file: PathBuf,
    /// The head in it.
    pub head: Head,
    /// What the journal has instead ([`Finding::Missing`] or [`Finding::Differs`]).
    pub finding: Finding,
}

/// What a set of witness files says about the journal of incident `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Heads of this incident that the journal holds.
    pub held: usize,
    /// Heads of other incidents (a mailbox holds many), not evidence about this one.
    pub other: usize,
    /// Files in which no head was found at all.
    pub without_heads: Vec<PathBuf>,
    /// Heads the journal does not hold at their seq: cut back or rewritten after the copy.
    pub contradictions: Vec<Contradiction>,
}

/// Reads every witness file and checks each head in it against `entries`, the journal of
/// incident `id` as it is now.
pub fn check_files(
    id: &str,
    entries: &[Entry],
    files: &[PathBuf],
) -> Result<Verdict, (PathBuf, std::io::Error)> {
    let by_seq: HashMap<u64, &Entry> = entries.iter().map(|e| (e.seq, e)).collect();
    let last = entries.last().map_or(0, |e| e.seq);
    let mut verdict = Verdict::default();
    for file in files {
        let mut any = false;
        scan_file(file, &mut |head| {
            any = true;
            match check(id, &by_seq, last, &head) {
                Finding::Holds => verdict.held += 1,
                Finding::OtherIncident => verdict.other += 1,
                finding => verdict.contradictions.push(Contradiction {
                    file: file.clone(),
                    head,
                    finding,
                }),
            }
        })
        .map_err(|e| (file.clone(), e))?;
        if !any {
            verdict.without_heads.push(file.clone());
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "9f2c1a3b5d7e9f0112233445566778899aabbccddeeff00112233445566778899";

    #[test]
    fn heads_are_found_in_mail_mailboxes_and_reports() {
        let hash = &H[..64];
        let mail = format!(
            "From: a@b\r\n{HEADER}: 3\r\n {hash}\r\n{INCIDENT_HEADER}: 20261122-x\r\n\r\nbody\r\n{}\r\n",
            footer(3, hash)
        );
        let heads = find(&mail);
        assert_eq!(heads.len(), 2);
        assert!(
            heads
                .iter()
                .all(|h| h.seq == 3 && h.incident.as_deref() == Some("20261122-x"))
        );
        assert_eq!(heads[1].hash.len(), 16);
        let mbox = format!("From a@b Mon\n{mail}From c@d Tue\n{HEADER}: 9 {hash}\n");
        let heads = find(&mbox);
        assert_eq!(heads.len(), 3);
        assert_eq!(heads[2].incident, None);
        let report = format!("<td>{}</td>", report_line("20261122-x", 7, hash));
        assert_eq!(
            find(&report),
            vec![Head {
                source: Source::Report,
                incident: Some("20261122-x".into()),
                seq: 7,
                hash: hash.into(),
                line: 1
            }]
        );
        assert!(find("X-Hikeshi-Journal: 3 nothex").is_empty());
    }
}
