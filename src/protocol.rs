//! The Airbyte protocol messages this connector reads and writes, written to
//! match `airbyte_protocol.yaml` (protocol v0). Names follow the protocol so
//! they can be grepped against it. Only what we use is here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Airbyte's classification of a failure, carried by `TRACE` `ERROR` messages.
// The protocol's names: config_error, system_error, transient_error.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureType {
    /// The user must change something (config, catalog, state, the key).
    ConfigError,
    /// A bug or an API behaviour the connector does not understand.
    SystemError,
    /// Worth retrying later: network trouble, rate limits, Paystack outages.
    TransientError,
}

impl FailureType {
    /// The failure type of a run that failed for these reasons: a config
    /// error when every one is, transient when none is a system error,
    /// else a system error.
    pub fn of_all(types: impl IntoIterator<Item = FailureType>) -> FailureType {
        let (mut all_config, mut any_system) = (true, false);
        for t in types {
            all_config &= t == FailureType::ConfigError;
            any_system |= t == FailureType::SystemError;
        }
        if all_config {
            FailureType::ConfigError
        } else if any_system {
            FailureType::SystemError
        } else {
            FailureType::TransientError
        }
    }
}

/// One line of connector output.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AirbyteMessage {
    Spec {
        spec: Value,
    },
    ConnectionStatus {
        #[serde(rename = "connectionStatus")]
        connection_status: AirbyteConnectionStatus,
    },
    Catalog {
        catalog: AirbyteCatalog,
    },
    State {
        state: AirbyteStateMessage,
    },
    Trace {
        trace: AirbyteTraceMessage,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConnectionStatus {
    Succeeded,
    Failed,
}

#[derive(Debug, Serialize)]
pub struct AirbyteConnectionStatus {
    pub status: ConnectionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AirbyteCatalog {
    pub streams: Vec<AirbyteStream>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    FullRefresh,
    Incremental,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStream {
    pub name: &'static str,
    pub json_schema: Value,
    pub supported_sync_modes: Vec<SyncMode>,
    pub source_defined_cursor: bool,
    pub default_cursor_field: Vec<&'static str>,
    pub source_defined_primary_key: Vec<Vec<&'static str>>,
    pub is_resumable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamDescriptor {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl StreamDescriptor {
    pub fn named(name: &str) -> Self {
        StreamDescriptor {
            name: name.to_owned(),
            namespace: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AirbyteStateType {
    Stream,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStateMessage {
    #[serde(rename = "type")]
    pub kind: AirbyteStateType,
    pub stream: AirbyteStreamState,
    #[serde(rename = "sourceStats")]
    pub source_stats: AirbyteStateStats,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStreamState {
    pub stream_descriptor: StreamDescriptor,
    pub stream_state: Value,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStateStats {
    /// A double in the protocol: serialised with a decimal point.
    #[serde(rename = "recordCount")]
    pub record_count: f64,
}

#[derive(Debug, Serialize)]
pub struct AirbyteTraceMessage {
    #[serde(rename = "type")]
    pub kind: TraceType,
    pub emitted_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AirbyteErrorTraceMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<AirbyteEstimateTraceMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_status: Option<AirbyteStreamStatusTraceMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceType {
    Error,
    Estimate,
    StreamStatus,
}

#[derive(Debug, Serialize)]
pub struct AirbyteErrorTraceMessage {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_message: Option<String>,
    pub failure_type: FailureType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_descriptor: Option<StreamDescriptor>,
}

#[derive(Debug, Serialize)]
pub struct AirbyteEstimateTraceMessage {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub row_estimate: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AirbyteStreamStatus {
    Started,
    Running,
    Complete,
    Incomplete,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStreamStatusTraceMessage {
    pub stream_descriptor: StreamDescriptor,
    pub status: AirbyteStreamStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<AirbyteStreamStatusReason>,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStreamStatusReason {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limited: Option<AirbyteStreamStatusRateLimitedReason>,
}

#[derive(Debug, Serialize)]
pub struct AirbyteStreamStatusRateLimitedReason {
    /// When the quota resets, in epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_reset: Option<i64>,
}

/// A configured catalog as the `catalog` command writes it: the streams
/// as `discover` describes them, each with its sync modes.
#[derive(Debug, Serialize)]
pub struct ConfiguredCatalogOut {
    pub streams: Vec<ConfiguredStreamOut>,
}

#[derive(Debug, Serialize)]
pub struct ConfiguredStreamOut {
    pub stream: AirbyteStream,
    pub sync_mode: SyncMode,
    pub cursor_field: Vec<&'static str>,
    pub primary_key: Vec<Vec<&'static str>>,
    /// `append` or `overwrite`.
    pub destination_sync_mode: &'static str,
}

// ---- input: the configured catalog ----

#[derive(Debug, Deserialize)]
pub struct ConfiguredAirbyteCatalog {
    pub streams: Vec<ConfiguredAirbyteStream>,
}

#[derive(Debug, Deserialize)]
pub struct ConfiguredAirbyteStream {
    pub stream: ConfiguredStreamRef,
    #[serde(default = "default_sync_mode")]
    pub sync_mode: SyncMode,
    #[serde(default)]
    pub cursor_field: Option<Vec<String>>,
}

fn default_sync_mode() -> SyncMode {
    SyncMode::FullRefresh
}

/// The part of a configured `AirbyteStream` the connector reads: the rest
/// (schema, supported modes) is ours and comes from `discover`.
#[derive(Debug, Deserialize)]
pub struct ConfiguredStreamRef {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_message_serialises_with_a_decimal_record_count() {
        let msg = AirbyteMessage::State {
            state: AirbyteStateMessage {
                kind: AirbyteStateType::Stream,
                stream: AirbyteStreamState {
                    stream_descriptor: StreamDescriptor::named("customers"),
                    stream_state: serde_json::json!({"createdAt": "2024-01-01T00:00:00.000Z"}),
                },
                source_stats: AirbyteStateStats { record_count: 3.0 },
            },
        };
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(
            text,
            r#"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-01-01T00:00:00.000Z"}},"sourceStats":{"recordCount":3.0}}}"#
        );
    }

    #[test]
    fn connection_status_uses_the_protocol_field_name() {
        let msg = AirbyteMessage::ConnectionStatus {
            connection_status: AirbyteConnectionStatus {
                status: ConnectionStatus::Failed,
                message: Some("no".into()),
            },
        };
        assert_eq!(
            serde_json::to_string(&msg).unwrap(),
            r#"{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"no"}}"#
        );
    }
}
