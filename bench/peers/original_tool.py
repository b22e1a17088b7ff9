#!/usr/bin/env python3
"""The original workshop tool's algorithm in pure Python: read the CSV, compute
the haversine of every pair in the tool's order (for j, for i < j), write
origin,destination,distance rows. Usage: original_tool.py INPUT OUTPUT"""
import csv
import math
import sys

RADIUS_KM = 6371.0088


def haversine(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * RADIUS_KM * math.asin(math.sqrt(a))


def main(source, target):
    with open(source, newline="", encoding="utf-8-sig") as file:
        locations = [(row[0].strip(), float(row[1]), float(row[2])) for row in csv.reader(file) if row]
    with open(target, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        for j in range(1, len(locations)):
            for i in range(j):
                a, b = locations[i], locations[j]
                writer.writerow((a[0], b[0], haversine(a[1], a[2], b[1], b[2])))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
