"""The benchmark service as PROTOCOL.md §6 "The benchmark service" defines it for
`roster-bench serve`: the method paths of proto/bench.proto, the request the checks send, and
the exact responses the server must give (ListGroups: one 600-byte response of 10 groups;
WatchProgress: `count` copies of one 60-byte ProgressUpdate, then TRAILERS 0)."""

from ..messages import enc_list_groups_request, enc_watch_progress_request

LIST_GROUPS = "/peerbench.Directory/ListGroups"
WATCH_PROGRESS = "/peerbench.Directory/WatchProgress"
METHODS = sorted([LIST_GROUPS, WATCH_PROGRESS])  # bench.proto's service Directory

# §6: {query:"uk", limit:10, kind:"team"}, 12 bytes.
REQUEST = enc_list_groups_request("uk", 10, "team")

GROUPS = [{"id": "3f2504e0-4f89-11d3-9a0c-0305e82c33%02d" % i,
           "display_name": "Group %02d" % i, "mail": "g%02d@x.uk" % i} for i in range(10)]
LIST_GROUPS_RESPONSE_BYTES = 600

UPDATE = {"job_id": bytes.fromhex("3f2504e04f8911d39a0c0305e82c3301"), "percent": 50.0,
          "stage": "copying objects to destination tier"}
UPDATE_BYTES = 60

ENDLESS = 50_000_000  # a stream that cannot finish during a check: held by its window


def watch(count, job=b"spec-job"):
    """A WatchProgressRequest for `count` updates."""
    return enc_watch_progress_request(job, count, "roster_spec")
