//! The shell's command language, parsed into [`Command`]s; `sh` (src/bin/sh.rs) runs them.
//!
//! A line is words separated by spaces or tabs. `|` separates the commands of a pipeline;
//! `< FILE`, `> FILE` (create or truncate) and `>> FILE` (append) redirect a command's standard
//! input or output, and need no spaces around them. `'…'` quotes text literally (spaces and
//! operators included; `''` is an empty word). A `#` that starts a word begins a comment to the
//! end of the line. Left out: double quotes, backslash escapes, variables, globbing, `;`, `&&`,
//! background jobs.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Where a redirection sends a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `< FILE`: standard input from `FILE`.
    In(String),
    /// `> FILE`: standard output to `FILE`, created or truncated.
    Out(String),
    /// `>> FILE`: standard output appended to `FILE`, created if missing.
    Append(String),
}

/// One command of a pipeline: its words (`argv[0]` names the program) and redirections, in the
/// order written (a later one of the same direction wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// The words: program name, then its arguments.
    pub argv: Vec<String>,
    /// The redirections.
    pub redirects: Vec<Redirect>,
}

/// Why a line could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// A pipeline with an empty command: `| a`, `a |`, `a | | b`, or only redirections.
    EmptyCommand,
    /// A redirection operator (`<`, `>`, `>>`) with no file after it.
    MissingFile(&'static str),
    /// A `'` with no closing `'`.
    UnclosedQuote,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::EmptyCommand => write!(f, "syntax error: empty command"),
            ParseError::MissingFile(op) => write!(f, "syntax error: no file after '{op}'"),
            ParseError::UnclosedQuote => write!(f, "syntax error: unclosed quote"),
        }
    }
}

/// A lexical token.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Pipe,
    Less,
    Great,
    DGreat,
}

/// Splits `line` into tokens, dropping a comment.
fn tokenize(line: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    // The word being gathered: `Some` once it has begun (so `''` makes an empty word).
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let op = match c {
            ' ' | '\t' | '\r' | '\n' => None,
            '#' if word.is_none() => break,
            '|' => Some(Token::Pipe),
            '<' => Some(Token::Less),
            '>' if chars.peek() == Some(&'>') => {
                chars.next();
                Some(Token::DGreat)
            }
            '>' => Some(Token::Great),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(q) => w.push(q),
                        None => return Err(ParseError::UnclosedQuote),
                    }
                }
                continue;
            }
            _ => {
                word.get_or_insert_with(String::new).push(c);
                continue;
            }
        };
        // A separator or an operator ends the word.
        if let Some(w) = word.take() {
            tokens.push(Token::Word(w));
        }
        tokens.extend(op);
    }
    if let Some(w) = word {
        tokens.push(Token::Word(w));
    }
    Ok(tokens)
}

/// Parses one line: `Ok(None)` for a blank line or a comment, else the pipeline's commands (at
/// least one, each with at least one word).
pub fn parse(line: &str) -> Result<Option<Vec<Command>>, ParseError> {
    let tokens = tokenize(line)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut commands = Vec::new();
    let mut cmd = Command::default();
    let mut tokens = tokens.into_iter();
    while let Some(t) = tokens.next() {
        let (op, make): (&'static str, fn(String) -> Redirect) = match t {
            Token::Word(w) => {
                cmd.argv.push(w);
                continue;
            }
            Token::Pipe => {
                if cmd.argv.is_empty() {
                    return Err(ParseError::EmptyCommand);
                }
                commands.push(core::mem::take(&mut cmd));
                continue;
            }
            Token::Less => ("<", Redirect::In),
            Token::Great => (">", Redirect::Out),
            Token::DGreat => (">>", Redirect::Append),
        };
        match tokens.next() {
            Some(Token::Word(file)) => cmd.redirects.push(make(file)),
            _ => return Err(ParseError::MissingFile(op)),
        }
    }
    if cmd.argv.is_empty() {
        return Err(ParseError::EmptyCommand);
    }
    commands.push(cmd);
    Ok(Some(commands))
}
