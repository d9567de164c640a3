//! Errors with the exit codes of DESIGN.md (sysexits.h values).

use crate::model::Location;
use std::fmt;

/// What went wrong, which decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad command line (EX_USAGE).
    Usage,
    /// Input that cannot be understood: invalid SQL, bad JSON, non-UTF-8 (EX_DATAERR).
    Data,
    /// Something named does not exist: revision, path, no schema files (EX_NOINPUT).
    NoInput,
    /// A bug in schemashift (EX_SOFTWARE).
    Internal,
    /// Reading or writing failed (EX_IOERR).
    Io,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Usage => 64,
            ErrorKind::Data => 65,
            ErrorKind::NoInput => 66,
            ErrorKind::Internal => 70,
            ErrorKind::Io => 74,
        }
    }
}

/// An error for the person at the terminal: where, what, and what to do.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub location: Option<Location>,
    pub help: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), location: None, help: None }
    }
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }
    pub fn data(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Data, message)
    }
    pub fn no_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NoInput, message)
    }
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }
    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Io, message)
    }
    pub fn at(mut self, location: Location) -> Error {
        self.location = Some(location);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
    /// `file:line:column: message`: the error in one line, without its
    /// severity or help, for a message that quotes it.
    pub fn line(&self) -> String {
        match &self.location {
            Some(loc) => format!("{loc}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// `error: file:line:column: message`, then `  help: …` on a line of its own:
/// what follows the `schemashift: ` prefix on standard error
/// (ARCHITECTURE.md, "Messages on standard error").
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.line())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A problem that does not stop the run, e.g. a statement kept as opaque.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    pub message: String,
    pub location: Location,
}

/// `warning: file:line:column: message`, as [`Error`]'s display.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}: {}", self.location, self.message)
    }
}
