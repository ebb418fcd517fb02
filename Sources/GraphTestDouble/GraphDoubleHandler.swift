import NIOCore
import NIOHTTP1

/// Collects one HTTP request at a time and writes the double's answer. Confined to its channel's
/// event loop, like every NIO handler.
final class GraphDoubleHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let double: GraphDouble
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(double: GraphDouble) {
        self.double = double
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let uri = head.uri
        let path = String(uri.prefix(while: { $0 != "?" }))
        let query = uri.firstIndex(of: "?").map { GraphDouble.State.parseQuery(uri[uri.index(after: $0)...]) } ?? [:]
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let request = GraphDouble.RecordedRequest(
            method: head.method.rawValue,
            path: path.removingPercentEncodingIfPossible,
            query: query,
            headers: headers,
            body: String(buffer: body)
        )
        let (reply, delay) = double.respond(to: request)
        let isPhoto = GraphDouble.photoRequest(path: request.path) != nil
        // Sends the answer; run on the event loop, now or later (held or delayed).
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let answer: @Sendable () -> Void = {
            let (handler, context) = bound.value
            handler.send(reply, for: head, context: context)
            if isPhoto { handler.double.photoReplyFinished() }
        }
        let eventLoop = context.eventLoop
        if double.hold(request, send: { eventLoop.execute(answer) }) { return }
        guard let delay else { return answer() }
        let (seconds, attoseconds) = delay.components
        eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000), answer)
    }

    private func send(_ reply: GraphDoubleReply, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch reply {
        case .drop:
            context.close(promise: nil)
        case .respond(let status, let extraHeaders, let responseBody):
            var responseHeaders = HTTPHeaders(extraHeaders)
            responseHeaders.add(name: "Content-Length", value: String(responseBody.readableBytes))
            let keepAlive = head.isKeepAlive
            if !keepAlive { responseHeaders.add(name: "Connection", value: "close") }
            let responseHead = HTTPResponseHead(version: head.version, status: status, headers: responseHeaders)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(responseBody))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                done.whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}

extension String {
    fileprivate var removingPercentEncodingIfPossible: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
