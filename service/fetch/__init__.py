"""Fetching a web page for the server ("digest this link"), without letting a link reach what
the server can reach and the caller cannot: its loopback, its private network, the cloud's
metadata endpoint.

    fetcher.fetch_page   the one entry: a checked URL in, a decoded page out
    types                FetchPolicy (limits, explicit allowances), FetchedPage, Resolver
    urls                 what a URL may name: http(s), no userinfo, a host (IP spellings read
                         as the OS reads them)
    addresses            which addresses are refused, and why (every resolved one is checked)
    resolve              names to checked addresses (the default resolver runs off the loop)
    body                 the body read under a byte cap, compressed or not
    decode               pages only (HTML or text); their charset, as a browser finds it
    errors               FetchRefused (422), FetchFailed (422), FetchTooLarge (413),
                         FetchTimedOut (504)

The connection is pinned: it goes to the address that was checked, with the hostname sent in
Host and, for https, in SNI and verified against the certificate. Redirects are followed by
hand, each new URL checked from scratch.
"""
