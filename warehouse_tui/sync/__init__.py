"""Orders in and tracking out over the marketplaces' own APIs (``warehouse-tui sync``).

One module per marketplace speaks its API and hands what it reads to the same channel mappers
as the files (``warehouse_tui.channels``); ``runner`` stores orders and sends confirmations;
``http`` and ``tokens`` are what the four share: timeouts, retries, rate limits, OAuth.
"""
