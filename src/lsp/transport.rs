//! JSON-RPC framing (`Content-Length` headers) over any byte stream.
//!
//! `lsp-server`'s own reader returns an error at the first malformed frame and its reader
//! thread then stops, which ends the session. This reader reports a malformed frame as
//! `Incoming::Malformed` and carries on with the next one, so that the server can answer
//! with a JSON-RPC error and keep running. The message types are `lsp-server`'s.

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message, RequestId};
use serde_json::Value;

/// Frames larger than this are refused (and skipped) rather than buffered.
const MAX_CONTENT_LENGTH: usize = 256 * 1024 * 1024;
/// A header line longer than this is not a header.
const MAX_HEADER_LINE: usize = 8 * 1024;

#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that is not a valid message. `id` is the request's id when it could be read,
    /// so that the error response can name it.
    Malformed {
        id: Option<RequestId>,
        code: ErrorCode,
        reason: String,
    },
}

/// Reads frames from `input`; `Ok(None)` at the end of the stream.
pub struct Reader<R> {
    input: R,
    /// Set after a header block without a usable `Content-Length`: the bytes that follow are
    /// a body of unknown length, so lines are skipped until the next `Content-Length`.
    resync: bool,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader {
            input,
            resync: false,
        }
    }

    pub fn read(&mut self) -> io::Result<Option<Incoming>> {
        let mut content_length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        loop {
            let Some(line) = self.read_header_line()? else {
                return Ok(None);
            };
            let mut line = line.trim_end_matches(['\r', '\n']);
            if self.resync {
                // The next frame may start right after a body with no newline of its own.
                let Some(at) = find_content_length(line) else {
                    continue;
                };
                line = &line[at..];
                self.resync = false;
            }
            if line.is_empty() {
                if saw_header {
                    break;
                }
                // Blank lines between frames are tolerated.
                continue;
            }
            saw_header = true;
            match line.split_once(':') {
                Some((name, value)) if name.trim().eq_ignore_ascii_case("Content-Length") => {
                    content_length = Some(
                        value
                            .trim()
                            .parse::<usize>()
                            .map_err(|_| format!("bad Content-Length {:?}", value.trim())),
                    );
                }
                // Content-Type and unknown headers are allowed and ignored.
                Some(_) => {}
                None => {
                    self.resync = true;
                    return Ok(Some(malformed(
                        None,
                        format!("malformed header line {line:?}"),
                    )));
                }
            }
        }
        let length = match content_length {
            Some(Ok(length)) => length,
            Some(Err(reason)) => {
                self.resync = true;
                return Ok(Some(malformed(None, reason)));
            }
            None => {
                self.resync = true;
                return Ok(Some(malformed(None, "no Content-Length header".to_owned())));
            }
        };
        if length > MAX_CONTENT_LENGTH {
            io::copy(&mut (&mut self.input).take(length as u64), &mut io::sink())?;
            return Ok(Some(malformed(
                None,
                format!("frame of {length} bytes is too large"),
            )));
        }
        let mut body = vec![0; length];
        match self.input.read_exact(&mut body) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(error) => return Err(error),
        }
        Ok(Some(parse_body(&body)))
    }

    /// One header line, at most `MAX_HEADER_LINE` bytes (the rest of a longer one is
    /// dropped); `None` at the end of the stream.
    fn read_header_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let read = (&mut self.input)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") && read == MAX_HEADER_LINE {
            let mut rest = Vec::new();
            self.input.read_until(b'\n', &mut rest)?;
        }
        Ok(Some(String::from_utf8_lossy(&line).into_owned()))
    }
}

/// Where a `Content-Length:` header starts in `line`, in any case.
fn find_content_length(line: &str) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    line.as_bytes()
        .windows(NAME.len())
        .position(|window| window.eq_ignore_ascii_case(NAME))
}

fn malformed(id: Option<RequestId>, reason: String) -> Incoming {
    Incoming::Malformed {
        id,
        code: ErrorCode::ParseError,
        reason,
    }
}

fn parse_body(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return malformed(None, format!("invalid JSON: {error}")),
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    // `Message` deserializes untagged, so an object with an id and a bad method would pass as
    // a response: check the shape first.
    let shape_ok = match value.as_object() {
        Some(object) => match object.get("method") {
            Some(method) => method.is_string(),
            None => {
                object.contains_key("id")
                    && (object.contains_key("result") || object.contains_key("error"))
            }
        },
        None => false,
    };
    if !shape_ok {
        return Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            reason: "not a JSON-RPC request, notification or response".to_owned(),
        };
    }
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            reason: format!("not a JSON-RPC message: {error}"),
        },
    }
}

/// The bytes of one framed message.
pub fn frame(message: &Message) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    message.write(&mut bytes)?;
    Ok(bytes)
}

/// The frame of an error response, which may have no id (`"id": null` is what JSON-RPC
/// prescribes when the request's id could not be read; `lsp_server::Response` cannot say it).
pub fn error_frame(id: Option<&RequestId>, code: ErrorCode, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
    .to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Writes frames and flushes after each, so that the client sees every message at once.
pub fn write_frame(output: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    output.write_all(bytes)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
    }

    fn read_all(input: &str) -> Vec<Incoming> {
        let mut reader = Reader::new(input.as_bytes());
        let mut all = Vec::new();
        while let Some(incoming) = reader.read().unwrap() {
            all.push(incoming);
        }
        all
    }

    const REQUEST: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
    const NOTIFICATION: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;

    fn is_method(incoming: &Incoming, method: &str) -> bool {
        match incoming {
            Incoming::Message(Message::Request(r)) => r.method == method,
            Incoming::Message(Message::Notification(n)) => n.method == method,
            _ => false,
        }
    }

    #[test]
    fn reads_consecutive_frames_with_extra_headers() {
        let input = format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}{}",
            REQUEST.len(),
            REQUEST,
            framed(NOTIFICATION)
        );
        let all = read_all(&input);
        assert_eq!(all.len(), 2);
        assert!(is_method(&all[0], "shutdown"));
        assert!(is_method(&all[1], "exit"));
    }

    #[test]
    fn invalid_json_is_reported_and_reading_goes_on() {
        let input = format!("{}{}", framed("{not json"), framed(REQUEST));
        let all = read_all(&input);
        assert_eq!(all.len(), 2);
        assert!(matches!(
            &all[0],
            Incoming::Malformed {
                code: ErrorCode::ParseError,
                id: None,
                ..
            }
        ));
        assert!(is_method(&all[1], "shutdown"));
    }

    #[test]
    fn a_request_of_the_wrong_shape_keeps_its_id() {
        let input = framed(r#"{"jsonrpc":"2.0","id":7,"method":42}"#);
        let all = read_all(&input);
        match &all[..] {
            [Incoming::Malformed {
                id: Some(id),
                code: ErrorCode::InvalidRequest,
                ..
            }] => {
                assert_eq!(*id, RequestId::from(7));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn missing_or_bad_content_length_resyncs_on_the_next_frame() {
        for bad in [
            "Content-Type: x\r\n\r\n{\"a\": 1}\r\n".to_owned(),
            "Content-Length: ten\r\n\r\n{}".to_owned(),
            "garbage without a colon\r\nmore garbage\r\n".to_owned(),
        ] {
            let input = format!("{bad}{}", framed(REQUEST));
            let all = read_all(&input);
            assert_eq!(all.len(), 2, "{bad:?}: {all:?}");
            assert!(matches!(&all[0], Incoming::Malformed { .. }), "{bad:?}");
            assert!(is_method(&all[1], "shutdown"), "{bad:?}");
        }
    }

    #[test]
    fn a_truncated_frame_ends_the_stream() {
        let input = format!("Content-Length: 100\r\n\r\n{REQUEST}");
        assert!(read_all(&input).is_empty());
    }

    #[test]
    fn error_frames_can_have_a_null_id() {
        let bytes = error_frame(None, ErrorCode::ParseError, "bad");
        let text = String::from_utf8(bytes).unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        let value: Value = serde_json::from_str(body).unwrap();
        assert_eq!(value["id"], Value::Null);
        assert_eq!(value["error"]["code"], -32700);
        assert!(text.starts_with(&format!("Content-Length: {}\r\n", body.len())));
    }
}
