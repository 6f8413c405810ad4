"""The embedded broker: kombu's filesystem transport with messages that appear whole.

kombu's filesystem channel creates a message file and then writes it, while a worker
moves and reads any file with the right name: a worker that looks in between reads an
empty file, fails to decode it and stops ("Unrecoverable error: JSONDecodeError"). Here
a message is written under a name no worker picks up and renamed into place, which is
atomic on one filesystem, so a worker sees either nothing or the whole message.
"""

import contextlib
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f"partial-{uuid.uuid4().hex}")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
