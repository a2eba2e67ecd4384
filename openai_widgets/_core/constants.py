"""Numbers the client lives by, in one place."""

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# Seconds. `timeout` bounds one attempt from sending to the last byte of the body;
# `connect` bounds opening the connection.
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0

DEFAULT_MAX_RETRIES = 2
# Connections the asynchronous pool may open at once (the bulk engine's safety cap).
MAX_CONNECTIONS = 2048
INITIAL_RETRY_DELAY = 0.5  # first backoff, doubled per attempt
MAX_RETRY_DELAY = 8.0  # cap of our own exponential backoff
JITTER = 0.25  # backoff is shortened by up to this fraction
# A server's retry-after / retry-after-ms above this is not waited on: the call raises
# and says how long the server asked to wait.
MAX_RETRY_AFTER = 60.0

# Default models per module; the magics' %config settings start from these.
DEFAULT_MODELS = {
    "chat": "gpt-4o-mini",
    "respond": "gpt-4.1-mini",
    "completion": "gpt-3.5-turbo-instruct",
    "edit": "gpt-4o-mini",
    "embedding": "text-embedding-3-small",
    "image": "dall-e-2",
    "image_edit": "dall-e-2",
    "moderation": "omni-moderation-latest",
    "transcription": "whisper-1",
    "translation": "whisper-1",
    "speech": "tts-1",
    "fine_tune": "gpt-4o-mini-2024-07-18",
}

# What a file may be uploaded for (the server adds output purposes such as
# `fine-tune-results` and `batch_output` to files it makes itself).
FILE_PURPOSES = ("fine-tune", "batch", "assistants", "vision", "user_data", "evals")

# HTTP methods a custom call may use.
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
