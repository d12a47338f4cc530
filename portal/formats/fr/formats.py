"""French (Canada) dates and times: 3 h 32 rather than 03:32."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, G \\h i"
TIME_FORMAT = "G \\h i"
YEAR_MONTH_FORMAT = "F Y"
