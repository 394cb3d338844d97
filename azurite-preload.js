// Loaded with `node --require` before Azurite (see cli/Runtime/AzuriteServer.cs). Azurite keeps blob metadata in one
// LokiJS collection for every container, with binary indices, and two LokiJS habits made each request cost what the
// whole account holds, so a pipeline that archives every input slowed down as its history grew:
// 1. Removing the documents a query found (findAndRemove, which Delete Blob uses) goes through removeBatchByPositions,
//    which rebuilds every index by sorting the whole collection: O(N log N) per delete. A few documents are now removed
//    one at a time, through LokiJS's own single remove, which updates each index in place (O(N), no comparisons).
// 2. A query of several keys narrows by the first key's index only and scans for the rest; Azurite's name the account
//    first ({ accountName, containerName, name, ... }), which every blob matches. A query with an exact blob name now
//    starts from the name's index: the same conjunction, in another order.
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

  const find = loki.Resultset.prototype.find;
  function findByNameFirst(query, firstOnly) {
    if (query && typeof query === "object" && !this.filterInitialized && canStartByName(query, this.collection)) {
      const reordered = { [NameKey]: query[NameKey] };
      for (const key of Object.keys(query)) {
        if (key !== NameKey) {
          reordered[key] = query[key];
        }
      }

      query = reordered;
    }

    return find.call(this, query, firstOnly);
  }

  loki.Resultset.prototype.find = findByNameFirst;
}

const NameKey = "name";

// A query of several keys with an exact (string) name that is not first, on a collection that indexes names.
function canStartByName(query, collection) {
  const keys = Object.keys(query);
  return keys.length > 1 && keys[0] !== NameKey && typeof query[NameKey] === "string" && Boolean(collection.binaryIndices[NameKey]);
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
