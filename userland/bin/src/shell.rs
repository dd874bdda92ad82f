//! The shell's command language, parsed into a [`List`]; `sh` (src/bin/sh.rs) runs it, asking
//! [`expand`] for each command's words just before the command runs (so `$?` is the status of
//! the command before it).
//!
//! Grammar (POSIX `sh`'s, reduced):
//! - a line is and-or lists separated by `;` (run in order) or ended by `&` (run in the
//!   background, not waited for); a trailing `;` is allowed;
//! - an and-or list is pipelines joined by `&&` (run the next only if the last succeeded) and
//!   `||` (only if it failed), left to right with equal precedence;
//! - a pipeline is commands separated by `|`;
//! - a command is words and redirections: `< FILE`, `> FILE` (create or truncate), `>> FILE`
//!   (append), `2> FILE`, `2>> FILE` (standard error), `2>&1` (standard error to where standard
//!   output goes at that point), `>&2` (the reverse); they need no spaces around them and apply
//!   left to right (`> f 2>&1` sends both to `f`; `2>&1 > f` only standard output);
//! - words are separated by spaces or tabs; `'…'` quotes text literally (spaces and operators
//!   included; `''` is an empty word); `"…"` quotes too but expands `$NAME` and `$?` inside;
//!   a `#` that starts a word begins a comment to the end of the line.
//!
//! Expansion ([`expand`]): `$?` is the last status, `$!` the last background job's group,
//! `$NAME` a shell variable (`NAME=value` as a
//! command by itself sets one; unset is empty); an unquoted `*` matches any run of characters
//! within the last path component of a word (`*.txt`, `/bin/c*`), the matching names sorted, a
//! leading `.` matched only by a pattern that starts with `.`; a pattern that matches nothing
//! stays as written (as POSIX says). Left out: backslash escapes, field splitting of variables,
//! `?` and `[…]` patterns, `*` in directory components, `$(…)`, functions, control flow.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// One piece of a word, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text; `quoted` text is never globbed.
    Text {
        /// The characters.
        text: String,
        /// Inside `'…'` or `"…"`.
        quoted: bool,
    },
    /// `$NAME`, `$?` or `$!` (names `?`, `!`).
    Var(String),
}

/// A word as written: its parts, expanded by [`expand`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

/// Where a redirection sends a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect<W = Word> {
    /// `< FILE`: standard input from `FILE`.
    In(W),
    /// `> FILE`: standard output to `FILE`, created or truncated.
    Out(W),
    /// `>> FILE`: standard output appended to `FILE`, created if missing.
    Append(W),
    /// `2> FILE`: standard error to `FILE`, created or truncated.
    Err(W),
    /// `2>> FILE`: standard error appended to `FILE`.
    ErrAppend(W),
    /// `2>&1`: standard error to where standard output goes now.
    ErrToOut,
    /// `>&2`: standard output to where standard error goes now.
    OutToErr,
}

/// One command of a pipeline: its words (the first names the program) and redirections, in the
/// order written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// The words: program name, then its arguments.
    pub words: Vec<Word>,
    /// The redirections.
    pub redirects: Vec<Redirect>,
}

/// A command after expansion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// `argv`: program name, then its arguments (may be empty if every word expanded to
    /// nothing).
    pub argv: Vec<String>,
    /// The redirections, with their files expanded.
    pub redirects: Vec<Redirect<String>>,
}

/// How a pipeline is joined to the one before it in an and-or list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// `&&`: runs if the last status was 0.
    And,
    /// `||`: runs if the last status was not 0.
    Or,
}

/// Pipelines joined by `&&` and `||`; the first has no join.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AndOr {
    /// The pipelines with how each joins the previous (`None` for the first).
    pub pipelines: Vec<(Option<Join>, Vec<Command>)>,
    /// Ended by `&`: runs in the background.
    pub background: bool,
    /// The text of the list as typed (for `jobs`).
    pub text: String,
}

/// A parsed line: its and-or lists in order.
pub type List = Vec<AndOr>;

/// Why a line could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// A pipeline with an empty command: `| a`, `a |`, `a | | b`, or only redirections.
    EmptyCommand,
    /// A redirection operator with no file after it.
    MissingFile(&'static str),
    /// A `'` or `"` with no closing one.
    UnclosedQuote,
    /// `;`, `&`, `&&` or `||` with nothing before it.
    Unexpected(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::EmptyCommand => write!(f, "syntax error: empty command"),
            ParseError::MissingFile(op) => write!(f, "syntax error: no file after '{op}'"),
            ParseError::UnclosedQuote => write!(f, "syntax error: unclosed quote"),
            ParseError::Unexpected(op) => write!(f, "syntax error: unexpected '{op}'"),
        }
    }
}

/// A lexical token.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(Word),
    Pipe,
    And,
    Or,
    Semi,
    Amp,
    /// A redirection operator: its spelling.
    Redir(&'static str),
}

/// The word being gathered by [`tokenize`].
#[derive(Default)]
struct Gather {
    /// `Some` once the word has begun (so `''` makes an empty word).
    word: Option<Word>,
}

impl Gather {
    fn text(&mut self, c: char, quoted: bool) {
        let parts = &mut self.word.get_or_insert_with(Word::default).0;
        match parts.last_mut() {
            Some(Part::Text { text, quoted: q }) if *q == quoted => text.push(c),
            _ => parts.push(Part::Text {
                text: String::from(c),
                quoted,
            }),
        }
    }

    fn begin(&mut self) {
        self.word.get_or_insert_with(Word::default);
    }

    fn var(&mut self, name: String) {
        self.word
            .get_or_insert_with(Word::default)
            .0
            .push(Part::Var(name));
    }
}

/// After a `$`: the variable's name (`?`, `!`, or letters, digits and `_`), or `None` for a lone `$`.
fn var_name(chars: &mut core::iter::Peekable<core::str::CharIndices<'_>>) -> Option<String> {
    if let Some(&(_, c @ ('?' | '!'))) = chars.peek() {
        chars.next();
        return Some(String::from(c));
    }
    let mut name = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c);
            chars.next();
        } else {
            break;
        }
    }
    (!name.is_empty()).then_some(name)
}

/// Splits `line` into tokens, dropping a comment; with each token, the byte offset where it
/// starts.
fn tokenize(line: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let mut tokens = Vec::new();
    let mut g = Gather::default();
    let mut start = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if g.word.is_none() {
            start = at;
        }
        let next = chars.peek().map(|&(_, n)| n);
        let op = match c {
            ' ' | '\t' | '\r' | '\n' => None,
            '#' if g.word.is_none() => break,
            '|' if next == Some('|') => {
                chars.next();
                Some(Token::Or)
            }
            '|' => Some(Token::Pipe),
            '&' if next == Some('&') => {
                chars.next();
                Some(Token::And)
            }
            '&' => Some(Token::Amp),
            ';' => Some(Token::Semi),
            '<' => Some(Token::Redir("<")),
            '2' if g.word.is_none() && next == Some('>') => {
                chars.next();
                let rest = &line[at + 2..];
                if rest.starts_with("&1") {
                    chars.next();
                    chars.next();
                    Some(Token::Redir("2>&1"))
                } else if rest.starts_with('>') {
                    chars.next();
                    Some(Token::Redir("2>>"))
                } else {
                    Some(Token::Redir("2>"))
                }
            }
            '>' => {
                let rest = &line[at + 1..];
                if rest.starts_with('>') {
                    chars.next();
                    Some(Token::Redir(">>"))
                } else if rest.starts_with("&2") {
                    chars.next();
                    chars.next();
                    Some(Token::Redir(">&2"))
                } else {
                    Some(Token::Redir(">"))
                }
            }
            '\'' => {
                g.begin();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, q)) => g.text(q, true),
                        None => return Err(ParseError::UnclosedQuote),
                    }
                }
                continue;
            }
            '"' => {
                g.begin();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '$')) => match var_name(&mut chars) {
                            Some(name) => g.var(name),
                            None => g.text('$', true),
                        },
                        Some((_, q)) => g.text(q, true),
                        None => return Err(ParseError::UnclosedQuote),
                    }
                }
                continue;
            }
            '$' => {
                match var_name(&mut chars) {
                    Some(name) => g.var(name),
                    None => g.text('$', false),
                }
                continue;
            }
            _ => {
                g.text(c, false);
                continue;
            }
        };
        // A separator or an operator ends the word.
        if let Some(w) = g.word.take() {
            tokens.push((start, Token::Word(w)));
        }
        if let Some(op) = op {
            tokens.push((at, op));
        }
    }
    if let Some(w) = g.word {
        tokens.push((start, Token::Word(w)));
    }
    Ok(tokens)
}

/// Parses one line into its and-or lists (none for a blank line or a comment); each pipeline
/// has at least one command, each command at least one word.
pub fn parse(line: &str) -> Result<List, ParseError> {
    let mut list = List::new();
    let mut current = AndOr::default();
    let mut pipeline: Vec<Command> = Vec::new();
    let mut cmd = Command::default();
    let mut join: Option<Join> = None;
    let mut begun: Option<usize> = None;
    let mut tokens = tokenize(line)?.into_iter().peekable();
    while let Some((at, t)) = tokens.next() {
        begun.get_or_insert(at);
        match t {
            Token::Word(w) => {
                cmd.words.push(w);
                continue;
            }
            Token::Redir("2>&1") => {
                cmd.redirects.push(Redirect::ErrToOut);
                continue;
            }
            Token::Redir(">&2") => {
                cmd.redirects.push(Redirect::OutToErr);
                continue;
            }
            Token::Redir(op) => {
                let make: fn(Word) -> Redirect = match op {
                    "<" => Redirect::In,
                    ">" => Redirect::Out,
                    ">>" => Redirect::Append,
                    "2>" => Redirect::Err,
                    _ => Redirect::ErrAppend,
                };
                match tokens.next() {
                    Some((_, Token::Word(file))) => cmd.redirects.push(make(file)),
                    _ => return Err(ParseError::MissingFile(op)),
                }
                continue;
            }
            _ => {}
        }
        // An operator: the command before it is complete.
        if cmd.words.is_empty() {
            if pipeline.is_empty() && current.pipelines.is_empty() && t != Token::Pipe {
                return Err(ParseError::Unexpected(match t {
                    Token::And => "&&",
                    Token::Or => "||",
                    Token::Semi => ";",
                    _ => "&",
                }));
            }
            return Err(ParseError::EmptyCommand);
        }
        pipeline.push(core::mem::take(&mut cmd));
        match t {
            Token::Pipe => continue,
            Token::And | Token::Or => {
                current
                    .pipelines
                    .push((join, core::mem::take(&mut pipeline)));
                join = Some(if t == Token::And { Join::And } else { Join::Or });
                if tokens.peek().is_none() {
                    return Err(ParseError::EmptyCommand);
                }
            }
            _ => {
                current
                    .pipelines
                    .push((join.take(), core::mem::take(&mut pipeline)));
                current.background = t == Token::Amp;
                let from = begun.take().unwrap_or(0);
                current.text = String::from(line[from..at].trim());
                list.push(core::mem::take(&mut current));
            }
        }
    }
    if !cmd.words.is_empty() {
        pipeline.push(cmd);
    } else if !cmd.redirects.is_empty() || !pipeline.is_empty() {
        return Err(ParseError::EmptyCommand);
    }
    if !pipeline.is_empty() {
        current.pipelines.push((join, pipeline));
        let from = begun.unwrap_or(0);
        current.text = String::from(line[from..].trim());
        list.push(current);
    }
    Ok(list)
}

/// What expansion needs from the shell.
pub trait Env {
    /// The value of variable `name` (`?`: the last status); `None` if unset.
    fn var(&self, name: &str) -> Option<String>;
    /// The names in directory `dir` (`""`: the current one), unsorted; none if unreadable.
    fn list_dir(&self, dir: &str) -> Vec<String>;
}

/// Expands `cmd`'s words and redirection files in `env` (see the module note).
pub fn expand(cmd: &Command, env: &dyn Env) -> Expanded {
    let mut argv = Vec::new();
    for w in &cmd.words {
        expand_word(w, env, &mut argv);
    }
    let one = |w: &Word| {
        let mut out = Vec::new();
        expand_word(w, env, &mut out);
        // A file pattern matching several names stays as written (a redirection takes one).
        if out.len() == 1 {
            out.pop().unwrap_or_default()
        } else {
            literal(w, env)
        }
    };
    let redirects = cmd
        .redirects
        .iter()
        .map(|r| match r {
            Redirect::In(w) => Redirect::In(one(w)),
            Redirect::Out(w) => Redirect::Out(one(w)),
            Redirect::Append(w) => Redirect::Append(one(w)),
            Redirect::Err(w) => Redirect::Err(one(w)),
            Redirect::ErrAppend(w) => Redirect::ErrAppend(one(w)),
            Redirect::ErrToOut => Redirect::ErrToOut,
            Redirect::OutToErr => Redirect::OutToErr,
        })
        .collect();
    Expanded { argv, redirects }
}

/// `w` with its variables expanded and no globbing.
fn literal(w: &Word, env: &dyn Env) -> String {
    let mut s = String::new();
    for p in &w.0 {
        match p {
            Part::Text { text, .. } => s.push_str(text),
            Part::Var(name) => s.push_str(&env.var(name).unwrap_or_default()),
        }
    }
    s
}

/// Appends the fields word `w` expands to: one, or the names its pattern matches.
fn expand_word(w: &Word, env: &dyn Env, out: &mut Vec<String>) {
    let text = literal(w, env);
    // The positions of unquoted `*` in `text`.
    let mut stars = Vec::new();
    let mut at = 0;
    for p in &w.0 {
        match p {
            Part::Text { text: t, quoted } => {
                if !quoted {
                    stars.extend(t.match_indices('*').map(|(i, _)| at + i));
                }
                at += t.len();
            }
            Part::Var(name) => at += env.var(name).map_or(0, |v| v.len()),
        }
    }
    if stars.is_empty() {
        out.push(text);
        return;
    }
    let slash = text.rfind('/');
    let base_start = slash.map_or(0, |s| s + 1);
    if stars.iter().any(|&s| s < base_start) {
        out.push(text);
        return;
    }
    let dir = match slash {
        Some(0) => "/",
        Some(s) => &text[..s],
        None => "",
    };
    let pattern = &text[base_start..];
    let local: Vec<usize> = stars.iter().map(|s| s - base_start).collect();
    let mut names: Vec<String> = env
        .list_dir(dir)
        .into_iter()
        .filter(|n| {
            (!n.starts_with('.') || pattern.starts_with('.')) && matches(pattern, &local, n)
        })
        .collect();
    if names.is_empty() {
        out.push(text);
        return;
    }
    names.sort();
    for n in names {
        let mut full = String::from(&text[..base_start]);
        full.push_str(&n);
        out.push(full);
    }
}

/// Whether `name` matches `pattern`, whose `*` wildcards are at byte offsets `stars` (any other
/// `*` is literal).
fn matches(pattern: &str, stars: &[usize], name: &str) -> bool {
    // The literal pieces between the wildcards.
    let mut pieces = Vec::new();
    let mut from = 0;
    for &s in stars {
        pieces.push(&pattern[from..s]);
        from = s + 1;
    }
    pieces.push(&pattern[from..]);
    let (first, rest) = pieces.split_first().expect("one piece at least");
    let Some(mut left) = name.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return left.is_empty();
    };
    for piece in middle {
        match left.find(piece) {
            Some(i) => left = &left[i + piece.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last)
}
