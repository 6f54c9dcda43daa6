// What the deployment programs beside this file share with deploy.test.mjs: the tokens
// each process or thread verifies (every one distinct, every one known to the sandbox
// through its fixtures file) and the check that each answer is the purchase of the token
// asked for. The sandbox's control API is ../sandbox.mjs's `control`.

/** The token of call `i` of worker `worker` in `shape` ('cluster', 'threads', ...). */
export function tokenOf(shape, worker, i) {
  return `-nowgg-deploy-${shape}-${worker}-${i}`
}

export function tokensOf(shape, worker, count) {
  return Array.from({ length: count }, (_, i) => tokenOf(shape, worker, i))
}

/** The order id the sandbox holds for `token`: a second field to match with the token. */
export function orderIdOf(token) {
  return `GPA.${token.slice('-nowgg-'.length)}`
}

/** Sandbox fixtures (`--fixtures FILE`): a paid, unconsumed purchase under each token. */
export function fixturesFor(tokens) {
  return tokens.map((token) => ({
    token,
    store: 'nowgg',
    data: {
      kind: 'nowgg#productPurchase',
      orderId: orderIdOf(token),
      packageName: 'com.example.game',
      productId: 'gems_100',
      purchaseState: 1,
      consumptionState: 0,
      purchaseTimeMillis: '1630529397125',
    },
  }))
}

/**
 * Runs one round over `tokens` against `client`, every call at once: verify each, then
 * consume each, then verify each again. Counts the answers that belong to another token
 * (`mismatches`: the purchase's token, its raw token or its order id differ), consumes
 * that did not say 'consumed' (each token is consumed once, so another outcome is an
 * answer crossed with another call's), purchases not consumed afterwards, and failed
 * calls (`errors`, with the first error's code and message).
 */
export async function round(client, tokens) {
  const tally = { calls: 0, mismatches: 0, unexpectedOutcomes: 0, notConsumed: 0, errors: 0, firstError: null }
  const failed = (error) => {
    tally.errors += 1
    tally.firstError ??= `${error?.code ?? 'no code'}: ${error?.message ?? error}`
  }
  const wrong = (purchase, token) =>
    purchase?.purchaseToken !== token || purchase?.raw?.purchaseToken !== token || purchase?.orderId !== orderIdOf(token)

  const each = (call) =>
    Promise.all(
      tokens.map((token) => {
        tally.calls += 1
        return call(token).catch(failed)
      }),
    )
  await each(async (token) => {
    if (wrong(await client.verifyPurchase(token), token)) tally.mismatches += 1
  })
  await each(async (token) => {
    if ((await client.consumePurchase(token)) !== 'consumed') tally.unexpectedOutcomes += 1
  })
  await each(async (token) => {
    const purchase = await client.verifyPurchase(token)
    if (wrong(purchase, token)) tally.mismatches += 1
    else if (!purchase.isConsumed) tally.notConsumed += 1
  })
  return tally
}

/** Adds up the tallies of several rounds. */
export function total(tallies) {
  const sum = { calls: 0, mismatches: 0, unexpectedOutcomes: 0, notConsumed: 0, errors: 0, firstError: null }
  for (const tally of tallies) {
    for (const key of ['calls', 'mismatches', 'unexpectedOutcomes', 'notConsumed', 'errors']) sum[key] += tally[key]
    sum.firstError ??= tally.firstError
  }
  return sum
}

/**
 * Ends the program with `message` (and exit code 2) unless it is done within `ms`: every
 * wait of these programs is bounded, whatever the test around them does. Unref'd, so it
 * never holds the process open by itself.
 */
export function watchdog(ms, message) {
  const timer = setTimeout(() => {
    console.error(`watchdog: ${message} still running after ${ms} ms`)
    process.exit(2)
  }, ms)
  timer.unref()
  return timer
}

/** Writes the program's result: one JSON line on stdout, read by deploy.test.mjs. */
export function report(result) {
  console.log(`result ${JSON.stringify(result)}`)
}
