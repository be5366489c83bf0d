import NIOCore

/// Writes a `FloodPlan` straight to the socket: prepared frames copied into writes of
/// about 64 KiB, patched with the pass number, and paced by the channel's writability
/// (NIO's default 64 KiB high-water mark), so the server never buffers more than that and
/// a slow client slows it down rather than filling memory.
///
/// It sits first in the pipeline (next to the socket), so its bytes bypass the WebSocket
/// frame encoder; everything else passes through it unchanged.
final class FloodWriter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var job: Job?

    private struct Job {
        let plan: FloodPlan
        let promise: EventLoopPromise<FloodResult>
        var sent = 0
        var next = 0
        var pass: UInt32 = 0
        var startNs: UInt64 = 0
        var startedAt = NIODeadline.now()
        var sendTimes: [UInt64] = []
        var timer: RepeatedTask?
    }

    static let chunk = 1 << 16

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump()
        context.fireChannelWritabilityChanged()
    }

    func start(_ plan: FloodPlan, promise: EventLoopPromise<FloodResult>) {
        guard let context, job == nil else {
            promise.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var job = Job(plan: plan, promise: promise)
        job.startNs = Monotonic.now()
        job.startedAt = .now()
        if plan.rate != nil {
            job.sendTimes = [UInt64](repeating: 0, count: plan.count)
            let this = NIOLoopBound(self, eventLoop: context.eventLoop)
            job.timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(1)) { _ in
                this.value.pump()
            }
        }
        self.job = job
        pump()
    }

    private func fail() {
        guard let job else { return }
        job.timer?.cancel()
        self.job = nil
        job.promise.fail(ChannelError.ioOnClosedChannel)
    }

    /// Writes while the socket takes more (and, with a rate, up to what is due now).
    private func pump() {
        guard let context, var job = self.job else { return }
        self.job = nil
        let count = job.plan.count
        var limit = count
        if let rate = job.plan.rate {
            let elapsed = Double((NIODeadline.now() - job.startedAt).nanoseconds) / 1e9
            limit = min(count, Int(elapsed * rate))
        }
        let frames = job.plan.frames.frames
        while context.channel.isWritable, job.sent < limit {
            var buffer = context.channel.allocator.buffer(capacity: Self.chunk + 1024)
            let batchStart = job.sent
            while job.sent < limit, buffer.readableBytes < Self.chunk {
                let frame = frames[job.next]
                let base = buffer.writerIndex
                buffer.writeBytes(frame.bytes)
                for offset in frame.patches {
                    StreamFrames.patch({ buffer.setInteger($1, at: base + $0) }, at: offset, pass: job.pass)
                }
                job.sent += 1
                job.next += 1
                if job.next == frames.count {
                    job.next = 0
                    job.pass &+= 1
                }
            }
            if job.plan.rate != nil {
                let now = Monotonic.now()
                for i in batchStart..<job.sent { job.sendTimes[i] = now }
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        if job.sent == count {
            job.timer?.cancel()
            let sentinel = context.channel.allocator.buffer(bytes: job.plan.frames.sentinel)
            let done = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(sentinel), promise: done)
            let finished = job
            done.futureResult.whenComplete { result in
                switch result {
                case .success:
                    finished.promise.succeed(FloodResult(startNs: finished.startNs, endNs: Monotonic.now(), sendTimes: finished.sendTimes))
                case .failure(let error):
                    finished.promise.fail(error)
                }
            }
            return
        }
        self.job = job
    }
}

