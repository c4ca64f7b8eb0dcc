"""gunicorn settings read from the working directory by every `gunicorn` started here."""

# The longest request line gunicorn accepts (its maximum): the app answers longer URLs itself
# (414, JSON on the API) up to MAX_URL_LENGTH, instead of gunicorn's plain-text 400.
limit_request_line = 8190
