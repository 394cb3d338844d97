// Loaded with `node --require` before Azurite (see cli/Runtime/AzuriteServer.cs). Azurite keeps blob metadata in one
// LokiJS collection for every container, with four binary indices. LokiJS removes the documents a query found
// (findAndRemove, which Azurite's Delete Blob uses) through removeBatchByPositions, and that rebuilds every binary
// index by sorting the whole collection each time: one delete costs O(N log N) in the blobs the account holds, so a
// pipeline that archives each input slows down as its history grows. A few documents are removed one at a time
// instead, through LokiJS's own single remove, which updates each index in place (O(N), no comparisons).
"use strict";
const path = require("path");

const SmallBatch = 64;

function patch(loki) {
  const batchRemove = loki.Collection.prototype.removeBatchByPositions;
  if (batchRemove.tributaryPatched) {
    return;
  }

  function removeBatchByPositions(positions) {
    if (!this.adaptiveBinaryIndices || positions.length > SmallBatch) {
      return batchRemove.call(this, positions);
    }

    // Documents first: each removal shifts the positions after it.
    const documents = positions.map((position) => this.data[position]);
    for (const document of documents) {
      this.remove(document);
    }
  }

  removeBatchByPositions.tributaryPatched = true;
  loki.Collection.prototype.removeBatchByPositions = removeBatchByPositions;
}

// Azurite's own copy of LokiJS, resolved from the script node runs (argv[1]); nothing to do when there is none.
try {
  const main = process.argv[1] ? path.dirname(process.argv[1]) : process.cwd();
  patch(require(require.resolve("lokijs", { paths: [main] })));
} catch (error) {
  if (error && error.code !== "MODULE_NOT_FOUND") {
    throw error;
  }
}

module.exports = { patch };
